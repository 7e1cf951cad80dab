import json

from askposts.cli import main


def test_index_then_search_json(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no askposts.toml here
    content = tmp_path / "c"
    (content / "blogs").mkdir(parents=True)
    (content / "blogs" / "a.md").write_text("---\ntitle: Taller de datos\n---\n"
                                            "El taller duró tres jornadas en Cobán.")
    (content / "blogs" / "roto.md").write_text("---\ntitle: [roto\n---\nx")
    index = str(tmp_path / "idx")
    assert main(["index", str(content), "--index", index]) == 1  # one file skipped
    out = capsys.readouterr().out
    assert "publicaciones: 1" in out and "[omitido] blogs/roto.md: YAML inválido" in out
    assert main(["search", "¿cuánto duró el taller?", "--index", index, "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["path"] == "blogs/a.md" and hits[0]["text"].startswith("El taller")
    assert main(["index", str(content), "--index", index]) == 1
    assert "Nada cambió" in capsys.readouterr().out


def test_errors_are_spanish_and_exit_2(tmp_path, capsys):
    assert main(["search", "hola", "--index", str(tmp_path / "nada")]) == 2
    assert "No hay un índice" in capsys.readouterr().err
    assert main(["index", str(tmp_path / "no-existe"), "--index", str(tmp_path / "i")]) == 2
    assert "No existe la carpeta" in capsys.readouterr().err
