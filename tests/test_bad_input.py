"""Each bad file is reported with a reason, everything else is indexed, fixes are picked up."""
import os

import pytest

from askposts.cli import main

GOOD = "---\ntitle: {t}\ndescription: Resumen de {t}\n---\nTexto sobre {t} y datos abiertos.\n"


@pytest.fixture()
def messy(tmp_path):
    root = tmp_path / "content" / "blogs"
    root.mkdir(parents=True)
    (root / "bueno-1.md").write_text(GOOD.format(t="Uno"))
    (root / "bueno-2.md").write_text(GOOD.format(t="Dos"))
    (root / "duplicado.md").write_text(GOOD.format(t="Uno"))
    (root / "yaml.md").write_text("---\ntitle: \"sin cerrar\ndate: [\n---\nTexto")
    (root / "abierto.md").write_text("---\ntitle: Nunca se cierra\nTexto")
    (root / "latin1.md").write_bytes("---\ntitle: Año\n---\nNiño".encode("latin-1"))
    (root / "binario.md").write_bytes(b"\x00\x01\x02PNG")
    (root / "vacio.md").write_text("")
    (root / "enorme.md").write_text("---\ntitle: Enorme\n---\n" + "palabra " * 700_000)
    (root / "bucle.md").symlink_to(root / "bucle.md")
    (root / "secreto.md").write_text(GOOD.format(t="Secreto"))
    os.chmod(root / "secreto.md", 0)
    return tmp_path / "content"


def test_bad_files_are_reported_and_good_ones_indexed(messy, tmp_path, capsys, monkeypatch,
                                                      fake_embedder):
    monkeypatch.chdir(tmp_path)
    index = str(tmp_path / "index")
    code = main(["index", str(messy), "--index", index], fake_embedder)
    out = capsys.readouterr().out
    readable = 4 if os.geteuid() == 0 else 3  # root reads the file without permissions
    assert code == 1  # some files were skipped
    assert f"publicaciones: {readable}" in out
    expected = {"yaml.md": "YAML inválido", "abierto.md": "no está cerrado",
                "latin1.md": "UTF-8", "binario.md": "binario", "vacio.md": "vacío",
                "enorme.md": "demasiado grande", "bucle.md": "bucle",
                "duplicado.md": "mismo título"}
    if os.geteuid() != 0:  # root reads any file
        expected["secreto.md"] = "permiso denegado"
    for name, reason in expected.items():
        line = next(ln for ln in out.splitlines() if f"blogs/{name}:" in ln)
        assert reason in line, line

    # a file fixed later is picked up by the next incremental run
    (messy / "blogs" / "yaml.md").write_text(GOOD.format(t="Arreglado"))
    assert main(["index", str(messy), "--index", index], fake_embedder) == 1
    out = capsys.readouterr().out
    assert "1 nuevos" in out and f"publicaciones: {readable + 1}" in out
    assert main(["search", "Arreglado", "--index", index, "--json", "--k", "1"],
                fake_embedder) == 0
    assert '"blogs/yaml.md"' in capsys.readouterr().out
