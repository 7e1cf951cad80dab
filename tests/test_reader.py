"""The reader: its weights (checked, shipped), its stage between candidates and judge, and
what it learned (on real site questions), plus a fit-reader run on a tiny sample."""
import hashlib
import itertools
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, EVAL, SHARED, need

from askposts.answering import readernet
from askposts.answering.judge import load_model
from askposts.answering.judges import Judges
from askposts.answering.model import AnswerModel, Linear
from askposts.answering.reader import (
    MANIFEST,
    WEIGHTS,
    CrossReader,
    HashReader,
    ReaderError,
    shipped,
)
from askposts.answering.reading import READING_FEATURES
from askposts.filters import Filters
from askposts.index import Index


def test_pairs_are_question_then_unit_and_fit_the_limit():
    q, u = [0, 5, 6, 2], [0, 7, 8, 9, 2]
    assert readernet.pair_ids(q, u) == [0, 5, 6, 2, 2, 7, 8, 9, 2]
    long_q, long_u = [0] + [5] * 100 + [2], [0] + [7] * 300 + [2]
    pair = readernet.pair_ids(long_q, long_u)
    assert len(pair) == readernet.MAX_PAIR and pair[-1] == 2
    assert pair[readernet.MAX_QUESTION - 1] == 2  # the question was cut, its end kept


def _copy_weights(tmp_path):
    src = shipped()
    shutil.copy(src, tmp_path / WEIGHTS)
    shutil.copy(src.with_name(MANIFEST), tmp_path / MANIFEST)
    return tmp_path / WEIGHTS


def test_damaged_or_missing_weights_are_a_spanish_error(tmp_path, settings):
    with pytest.raises(ReaderError, match="No se encontraron los pesos del lector"):
        CrossReader(settings.cache_dir, tmp_path / "nada" / WEIGHTS)
    path = _copy_weights(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    path.write_bytes(bytes(data))
    with pytest.raises(ReaderError, match="dañados"):
        CrossReader(settings.cache_dir, path)
    # A file whose checksum matches but that is not a reader's: also refused, in Spanish.
    path.write_bytes(b"no es un archivo safetensors")
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ReaderError, match="dañados"):
        CrossReader(settings.cache_dir, path)


def test_the_shipped_weights_match_their_manifest():
    info = json.loads(shipped().with_name(MANIFEST).read_text())
    assert hashlib.sha256(shipped().read_bytes()).hexdigest() == info["sha256"]
    # A few tens of MB at most: 12 layers and the head in float16 are 43 MB.
    assert shipped().stat().st_size < 50e6
    assert info["held_out_p@1"]["squad-es"]["reader"] > info["held_out_p@1"]["squad-es"]["cosine"]


def test_the_shipped_model_reads_with_the_reader():
    assert load_model().reading is None  # off by default (settings.reader): 4x the CPU
    model = load_model(reader=True)
    assert model.reading is not None and model.read_top >= 2
    assert set(model.reading.features) <= set(READING_FEATURES)
    assert any(f.startswith("reader") for f in model.answer.features)


class CountingReader(HashReader):
    def __init__(self):
        self.calls = []

    def score(self, question, units):
        self.calls.append((question, list(units)))
        return super().score(question, units)


def test_the_reader_reads_the_best_windows_units_and_moves_the_quote(fake_index, settings):
    reader = CountingReader()
    model = load_model(reader=True)
    # Only the reader's score decides: the quote is the window holding its best unit.
    only = Linear(("reader",), np.array([1.0]))
    index = Index(fake_index.folder.path, settings, fake_index.embedder, reader=reader)
    index._judges = Judges(replace(model, reading=only, read_top=3))
    question = "¿Cuántas personas participaron en el taller de Cobán?"
    gen = index.generation
    _, _, judged = index._judged(gen, question, 5, Filters())
    asked, units = reader.calls[-1]
    assert asked == question
    assert 3 <= len(units) <= 3 + 2 and len(set(units)) == len(units)  # whole windows
    scores = HashReader().score(question, units)
    quote = gen.window(int(judged.windows.ids[judged.quote]))
    assert max(s for u, s in zip(units, scores) if u in quote) == scores.max()


def test_a_model_with_a_reading_stage_round_trips(tmp_path):
    model = replace(load_model(), reading=Linear(("first_stage", "reader"), np.array([1.0, 2.0])),
                    read_top=4)
    path = tmp_path / "m.json"
    model.save(path)
    again = AnswerModel.load(path)
    assert again.read_top == 4 and again.reading.features == ("first_stage", "reader")


@pytest.fixture(scope="module")
def cross_reader(settings):
    return CrossReader(settings.cache_dir)


@pytest.mark.slow  # real model or ../shared
def test_the_reader_scores_deterministically_whatever_the_order(cross_reader):
    q = "¿Cuántas personas participaron en el taller?"
    units = ["Participaron 35 personas de 12 organizaciones.", "El taller fue en Cobán.",
             "Se habló de datos abiertos y de transparencia en los municipios del país."]
    first = cross_reader.score(q, units)
    again = cross_reader.score(q, units[::-1])[::-1]
    assert first.tolist() == again.tolist()
    assert int(np.argmax(first)) == 0


# Real site questions where e5's cosine picks another unit of the right post and the reader
# picks the evidence: a list, a date, a figure (dev.jsonl ids).
READER_WINS = ("a-013", "a-009", "b-037")  # the four phases; until 20 June; 0-100


@pytest.mark.slow  # real model or ../shared
@pytest.mark.parametrize("qid", READER_WINS)
def test_the_reader_finds_the_answer_unit_where_cosine_does_not(qid, cross_reader, embedder):
    from askposts.fitting.reader_data import site_items
    from askposts.fitting.reader_job import site_units

    rows = [json.loads(x) for x in need(EVAL).read_text().splitlines()]
    row = next(r for r in rows if str(r.get("id")) == qid)
    (item,) = site_items([row], site_units(need(CORPUS)))
    reader_best = int(np.argmax(cross_reader.score(item.question, list(item.units))))
    cos = embedder.embed_passages(list(item.units)) @ embedder.embed_query(item.question)
    assert reader_best in item.answers and int(np.argmax(cos)) not in item.answers


@pytest.mark.slow  # real model or ../shared
def test_fit_reader_on_a_tiny_sample_writes_weights_the_product_loads(tmp_path, settings):
    from askposts.cli import main

    squad = need(SHARED / "eval" / "squad-en-v1.1" / "train.json.gz")
    out = tmp_path / "lector"
    code = main(["fit-reader", "--squad-en", str(squad), "--squad-es",
                 str(need(SHARED / "eval" / "squad-es-v2" / "tune.json")), "--sample", "1",
                 "--train-questions", "16", "--checkpoint-every", "8", "--layers", "2",
                 "--no-baseline", "--out", str(out), "--work", str(tmp_path / "w")])
    assert code == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["layers"] == 2 and manifest["questions_seen"] == 16
    assert len(manifest["curve"]) == 2 and "squad-es" in manifest["held_out_p@1"]
    reader = CrossReader(settings.cache_dir, out / WEIGHTS)
    assert reader.layers == 2 and len(reader.score("¿Qué?", ["Una frase.", "Otra."])) == 2


def test_a_question_asking_where_to_see_something_gets_the_posts_link(fake_index):
    from askposts.answering.query import Query
    from askposts.answering.quote import post_note
    from askposts.spanish.messages import LINKED

    question = "¿Dónde puedo ver el mapa de servicios de salud?"
    hit = next(h for h in fake_index.search("mapa de servicios de salud") if h.link)
    gen = fake_index.generation
    query = Query.parse(question, gen, fake_index._analyzer, fake_index.query_vector(question))
    assert query.kind == "link"
    assert post_note(query, replace(hit, text="Un mapa de los servicios de salud.")) == \
        LINKED.format(link=hit.link)
    # A quote that has an address already needs no note.
    assert post_note(query, replace(hit, text=f"Véalo en {hit.link} hoy.")) == ""


def test_pairs_are_padded_to_a_few_lengths():
    # Each new (rows, length) shape makes the CPU kernels keep buffers of their own: lengths
    # are rounded up to a multiple of BUCKET, the padding masked.
    ids, keep = readernet.padded([[0, 5, 2], [0, 5, 6, 7, 2]], pad=1)
    assert ids.shape == (2, readernet.BUCKET) and int(keep.sum()) == 8
    assert ids[0, 3:].tolist() == [1] * (readernet.BUCKET - 3)
    full = [[0] + [5] * (readernet.BUCKET - 2) + [2]] * 2
    assert readernet.padded(full, pad=1)[1] is None  # a full bucket: no mask at all


@pytest.mark.slow  # real model or ../shared
def test_a_resumed_training_goes_on_exactly_as_one_that_never_stopped(tmp_path, settings):
    import torch

    from askposts.embedding.base import resolve_model
    from askposts.embedding.e5 import MODEL_NAME
    from askposts.fitting.reader_data import squad_items
    from askposts.fitting.reader_fit import E5Parts, ReaderFitConfig, Tokens, train

    folder = Path(resolve_model(MODEL_NAME, settings.cache_dir))
    parts, tokens = E5Parts(folder), Tokens(folder)
    items = squad_items(need(SHARED / "eval" / "squad-en-v1.1" / "train.json.gz"), 1)
    cfg = ReaderFitConfig(layers=2, questions=32, checkpoint_every=8)
    quiet = lambda m: None  # noqa: E731
    straight = train(parts, tokens, items, cfg, tmp_path / "a", log=quiet)
    minute = itertools.count(0, 60).__next__  # a clock that moves a minute per reading
    train(parts, tokens, items, replace(cfg, stop_after=16), tmp_path / "b", log=quiet,
          clock=minute)
    resumed = train(parts, tokens, items, cfg, tmp_path / "b", log=quiet, resume=True,
                    clock=minute)
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)
    curve = json.loads((tmp_path / "b" / "curve.json").read_text())["curve"]
    assert [p["questions"] for p in curve] == [8, 16, 24, 32]
    assert [p["minutes"] for p in curve] == [1.0, 2.0, 3.0, 4.0]  # the second run goes on
    again = train(parts, tokens, items, cfg, tmp_path / "b", log=quiet, resume=True)
    assert all(torch.equal(again[k], resumed[k]) for k in resumed)  # nothing left: no step
    with pytest.raises(ReaderError, match="otro entrenamiento.*lr"):
        train(parts, tokens, items, replace(cfg, lr=1e-4), tmp_path / "b", log=quiet,
              resume=True)
    with pytest.raises(ReaderError, match="No hay un punto de control"):
        train(parts, tokens, items, cfg, tmp_path / "c", log=quiet, resume=True)
