import json

from askposts.cli import main


def test_index_then_search_json(tmp_path, capsys, monkeypatch, fake_embedder):
    monkeypatch.chdir(tmp_path)  # no askposts.toml here
    content = tmp_path / "c"
    (content / "blogs").mkdir(parents=True)
    (content / "blogs" / "a.md").write_text("---\ntitle: Taller de datos\n---\n"
                                            "El taller duró tres jornadas en Cobán.")
    (content / "blogs" / "roto.md").write_text("---\ntitle: [roto\n---\nx")
    index = str(tmp_path / "idx")
    assert main(["index", str(content), "--index", index], fake_embedder) == 1  # one skipped
    out = capsys.readouterr().out
    assert "publicaciones: 1" in out and "[omitido] blogs/roto.md: YAML inválido" in out
    assert main(["search", "¿cuánto duró el taller?", "--index", index, "--json"],
                fake_embedder) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["path"] == "blogs/a.md" and hits[0]["text"].startswith("El taller")
    assert main(["index", str(content), "--index", index], fake_embedder) == 1
    assert "Nada cambió" in capsys.readouterr().out


def test_errors_are_spanish_and_exit_2(tmp_path, capsys, fake_embedder):
    assert main(["search", "hola", "--index", str(tmp_path / "nada")], fake_embedder) == 2
    assert "No hay un índice" in capsys.readouterr().err
    assert main(["index", str(tmp_path / "no-existe"), "--index", str(tmp_path / "i")],
                fake_embedder) == 2
    assert "No existe la carpeta" in capsys.readouterr().err


def test_programme_filter_and_ask(tmp_path, capsys, monkeypatch, fake_embedder):
    monkeypatch.chdir(tmp_path)
    content = tmp_path / "c" / "proyectos"
    content.mkdir(parents=True)
    for name, programme in (("a", "Datos"), ("b", "Salud")):
        (content / f"{name}.md").write_text(f"---\ntitle: Proyecto {name}\nprograma: {programme}"
                                            f"\n---\nUn proyecto de {programme} en Cobán.")
    index = str(tmp_path / "idx")
    assert main(["index", str(tmp_path / "c"), "--index", index], fake_embedder) == 0
    capsys.readouterr()
    args = ["--index", index, "--json", "--programme", "Salud"]
    assert main(["search", "proyecto en Cobán", *args], fake_embedder) == 0
    assert [h["path"] for h in json.loads(capsys.readouterr().out)] == ["proyectos/b.md"]
    assert main(["ask", "¿dónde es el proyecto?", *args], fake_embedder) == 0
    answer = json.loads(capsys.readouterr().out)
    assert {h["path"] for h in answer["citations"] + answer["related"]} <= {"proyectos/b.md"}
    assert main(["search", "x", "--index", index, "--since", "ayer"], fake_embedder) == 2
    assert "Fecha no válida" in capsys.readouterr().err
