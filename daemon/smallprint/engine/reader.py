"""The learned reader: a fine-tuned MiniLM that reads every sentence of a policy with its context and says which
practices it states, with which polarity (models/reader/, see MODEL_CARD_reader.md).

It runs with onnxruntime (an int8 ONNX file) and tokenizers (the base model's tokenizer.json), both loaded once
per process and only when first needed. Sentences are cut into reading units by `reader_input.reading_units`, the
same function training used; each unit is read alone (its reading is the same on any page), and the readings
of recent units are remembered for the next page that holds them (READINGS_REMEMBERED).
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import itertools
import json
import os
import threading
from array import array
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..taxonomy import PRACTICE_IDS
from . import linear
from .arbiter import ARBITER_FILE, UNCAPPED, WORDS_FILE, load_arbiter, policy_view, words_text
from .reader_input import PAIR_LABELS, Unit, pair_text, segment_text
from .pointers import points_elsewhere

MODEL_DIR = Path(__file__).resolve().parent / "models" / "reader"
MODEL_FILE = "reader.int8.onnx"
# The reader's cut-offs where its config names none (the config's were chosen by grouped cross-validation; see
# MODEL_CARD_reader.md): a practice is read where the reader is this sure of it ...
DEFAULT_THRESHOLD = 0.4
# ... or, where a recognizer also reads that practice in the sentence, this sure: the rules let the reader's second
# thoughts through (and, for the few practices named below, add a severe reading or decide its polarity).
DEFAULT_WITH_RULES = 0.05


class ReaderUnavailable(RuntimeError):
    """The model file, its tokenizer or onnxruntime is missing or broken."""


@dataclass(frozen=True)
class ReaderModel:
    session: object
    tokenizer: object  # sentence + context, cut to MAX_TOKENS
    segment_tokenizer: object  # whole blocks for the OPP-115 head, cut to SEGMENT_TOKENS
    opp: tuple[str, ...]
    thresholds: dict[str, float]
    # The second thoughts (arbiter.py): the word model and the tree ensembles that decide which readings to show.
    # None only for a model folder without them (an older or experimental build): the cut-offs decide alone then.
    words: object = None
    arbiter: object = None
    opp_blend: "OppBlend | None" = None  # where the folder has one (OPP_BLEND_FILE)
    # The readings of the (sentence, context) pairs read last (`probabilities`), for the next page that holds them.
    remembered: "RememberedReadings" = field(default_factory=lambda: RememberedReadings(), compare=False, repr=False)

    def threshold(self, practice: str) -> float:
        return self.thresholds.get(practice, self.thresholds.get("*", DEFAULT_THRESHOLD))

    @property
    def with_rules(self) -> float:
        return self.thresholds.get("with_rules", DEFAULT_WITH_RULES)


# How many (sentence, context) pairs' readings a process keeps (about 0.7 kB each, whatever the pair's length:
# some 14 MB in all; the largest shared policy has 2,141 pairs). The network reads each pair alone
# (`probabilities`), so a pair's reading is the same on any page: a policy's next version, the same policy under
# another address, or a page whose visible text changed by a date or a banner is read again only where its
# sentences changed (a corpus's versions of one document are read one after another for this reason too).
READINGS_REMEMBERED = 20_000


class RememberedReadings:
    """A bounded, thread-safe memory of pair -> (63 pair probabilities, 10 OPP-115 ones), least recently used out.
    Kept as float32 arrays, the network's own output type, so that what comes back is exactly what it gave.

    A pair is remembered by a 256-bit digest of its two texts (`_pair_key`), not by the texts: an entry costs the
    same whatever the pair's length (a heading of one 100,000-character "word" is context to every sentence under
    it, a new string each: kept as keys, 300 such sentences held 6 MB after their page was read), and the memory
    holds none of the words of the pages read. Two pairs that share a digest are as likely as guessing a 256-bit key,
    so a reading never comes back for the wrong pair."""

    def __init__(self) -> None:
        self._readings: OrderedDict[bytes, tuple[array, array]] = OrderedDict()
        self._lock = threading.Lock()
        self._forgets = 0

    def __len__(self) -> int:
        return len(self._readings)

    @property
    def forgets(self) -> int:
        """How many times this memory was forgotten: a reading notes it when it begins (see `keep`)."""
        return self._forgets

    def recall(self, pair: tuple[str, str]) -> tuple[list[float], list[float]] | None:
        key = _pair_key(pair)
        with self._lock:
            found = self._readings.get(key)
            if found is None:
                return None
            self._readings.move_to_end(key)
        return found[0].tolist(), found[1].tolist()

    def keep(self, pair: tuple[str, str], pairs, opp, forgets_when_begun: int | None = None) -> None:
        """Remember the pair's reading. `forgets_when_begun`: `forgets` as the reading began; a reading begun
        before a forget is not kept after it (a page read while the reader asked to forget would come back)."""
        key = _pair_key(pair)
        with self._lock:
            if forgets_when_begun is not None and forgets_when_begun != self._forgets:
                return
            self._readings[key] = (array("f", pairs), array("f", opp))
            self._readings.move_to_end(key)
            while len(self._readings) > READINGS_REMEMBERED:
                self._readings.popitem(last=False)

    def forget(self) -> None:
        with self._lock:
            self._readings.clear()
            self._forgets += 1


def _pair_key(pair: tuple[str, str]) -> bytes:
    """The digest a pair is remembered by: of both texts, the first one's length in front, so that no two pairs
    give the same bytes ("ab", "c" and "a", "bc"); a lone surrogate (which a page's text can carry) is hashed as
    itself (surrogatepass), so no two strings give the same bytes either."""
    sentence, context = (text.encode("utf-8", "surrogatepass") for text in pair)
    digest = hashlib.blake2b(len(sentence).to_bytes(8, "little"), digest_size=32)
    digest.update(sentence)
    digest.update(context)
    return digest.digest()


_LOCK = threading.Lock()
_MODEL: ReaderModel | None = None


def forget_readings() -> None:
    """Forget the remembered readings of the loaded reader: the daemon's memory forget in thread mode
    (daemon.runner), and benchmarks that time a first reading. Readings under way are not kept afterwards."""
    if _MODEL is not None:
        _MODEL.remembered.forget()


def model_dir() -> Path:
    """The shipped model, or $SMALLPRINT_READER_DIR (a model rebuilt by scripts/train_reader.py, for comparison)."""
    return Path(os.environ.get("SMALLPRINT_READER_DIR") or MODEL_DIR)


def load_model() -> ReaderModel:
    """The reader, loaded once per process (thread-safe); ReaderUnavailable when it cannot be."""
    global _MODEL
    if _MODEL is not None:
        return _MODEL
    with _LOCK:
        if _MODEL is None:
            _MODEL = _load(model_dir())
    return _MODEL


def _load(folder: Path) -> ReaderModel:
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ReaderUnavailable(f"the reader needs onnxruntime and tokenizers ({exc})") from None
    try:
        config = json.loads((folder / "reader.json").read_text(encoding="utf-8"))
        if tuple(tuple(p) for p in config["pairs"]) != PAIR_LABELS:
            raise ReaderUnavailable("the reader model was trained for another set of practices; rebuild it")
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=int(config["max_tokens"]), strategy="longest_first")
        tokenizer.no_padding()
        segment_tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        segment_tokenizer.enable_truncation(max_length=int(config["segment_tokens"]), strategy="longest_first")
        segment_tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        # One thread per run: the daemon runs analyses in several worker processes, one core each, and a reading
        # with the machine to itself runs several units at once instead (reading_threads), which parallelises far
        # better than one unit's small matrices. SMALLPRINT_READER_THREADS is for measuring, not for use.
        options.intra_op_num_threads = int(os.environ.get("SMALLPRINT_READER_THREADS", "1"))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # No arena: it keeps the largest batch's activations for the life of the process (~100 MB on a large policy),
        # and the batches here are small enough that plain allocation costs nothing measurable.
        options.enable_cpu_mem_arena = False
        session = onnxruntime.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        # Read here, inside the checks: a damaged reader.json (a cut-off that is no number, no "opp" list) is a
        # reader that cannot be loaded, not a page that cannot be read.
        thresholds = {str(k): float(v) for k, v in (config.get("thresholds") or {}).items()}
        opp = tuple(str(category) for category in config["opp"])
    except ReaderUnavailable:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReaderUnavailable(f"the reader model in {folder} cannot be loaded: {exc}") from None
    except Exception as exc:  # onnxruntime raises its own exception types for damaged files
        raise ReaderUnavailable(f"the reader model in {folder} cannot be loaded: {exc}") from None
    words = arbiter = None
    if (folder / ARBITER_FILE).is_file() or (folder / WORDS_FILE).is_file():
        try:
            words = linear.load(folder / WORDS_FILE)
            arbiter = load_arbiter(folder)
        except ValueError as exc:
            raise ReaderUnavailable(f"the reader model in {folder} cannot be loaded: {exc}") from None
    opp_blend = None
    if (folder / OPP_BLEND_FILE).is_file():
        try:
            opp_blend = load_opp_blend(folder, opp)
        except ValueError as exc:
            raise ReaderUnavailable(f"the reader model in {folder} cannot be loaded: {exc}") from None
    return ReaderModel(session, tokenizer, segment_tokenizer, opp, thresholds, words, arbiter, opp_blend)


def probabilities(model: ReaderModel, texts: Sequence[tuple[str, str]], tokenizer=None
                  ) -> tuple[list[list[float]], list[list[float]]]:
    """Per (sentence, context) pair: the 63 (practice, polarity) probabilities and the 10 OPP-115 ones."""
    if not texts:
        return [], []
    if tokenizer is None:  # the pair reader: what it read before on any page is remembered
        return _remembered_probabilities(model, texts)
    return _read(model, texts, tokenizer)


def _remembered_probabilities(model: ReaderModel, texts: Sequence[tuple[str, str]]
                              ) -> tuple[list[list[float]], list[list[float]]]:
    forgets_when_begun = model.remembered.forgets
    found = {}
    for pair in texts:
        if pair not in found:
            found[pair] = model.remembered.recall(pair)
    unread = [pair for pair, reading in found.items() if reading is None]
    if unread:
        pairs, opp = _read(model, unread, model.tokenizer)
        for pair, p, o in zip(unread, pairs, opp):
            model.remembered.keep(pair, p, o, forgets_when_begun)
            found[pair] = (p, o)
    return [found[pair][0] for pair in texts], [found[pair][1] for pair in texts]


# How many threads one reading may run the network on (`reading_threads`). One by default: a daemon worker, a
# corpus worker and the speed benchmark each have one core. A reading that has the machine to itself (the daemon
# with no other analysis running, one `smallprint analyze`) may use more.
_THREADS: contextvars.ContextVar[int] = contextvars.ContextVar("smallprint_reader_threads", default=1)
# Below this many units a second thread costs more than it saves (starting it, and the GIL's hand-overs).
_UNITS_PER_EXTRA_THREAD = 8


@contextlib.contextmanager
def reading_threads(count: int) -> Iterator[None]:
    """Within the block, readings in this thread (or task) run the network on up to `count` threads. The readings
    are the same whatever the count: each unit is still read alone, by the same single-threaded session run
    (onnxruntime's `run` may be called from several threads at once, and releases the GIL while it computes), so
    only the order in which units are read changes, not what any of them reads."""
    token = _THREADS.set(max(1, int(count)))
    try:
        yield
    finally:
        _THREADS.reset(token)


def _only_on_spare_cores() -> None:
    """This thread runs only on a core that nothing else wants (Linux's SCHED_IDLE, for this thread alone): the
    reading's extra threads take the cores the machine leaves idle, never time from anything else, as a quick
    reading asked meanwhile, another program of the reader's, or
    another full reading. Where it cannot be set (another system), the thread runs as any other."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # 0: on Linux, the calling thread
    except (AttributeError, OSError):
        pass


def _read(model: ReaderModel, texts: Sequence[tuple[str, str]], tokenizer
          ) -> tuple[list[list[float]], list[list[float]]]:
    import numpy as np

    # One unit per run. The int8 network quantises its activations with one scale per input tensor
    # (DynamicQuantizeLinear), so in a batch a sentence's reading depended on its batch partners and their padding:
    # on unrelated text elsewhere on the page (up to 0.19 on the median policy; 9 readings crossed 0.5). Alone,
    # each unit is read the same wherever it stands, at a scale fitted to it (never coarser than a batch's), and
    # on the median policy in the same time (0.677 s against 0.673 s batched, 7 interleaved runs: no padding).
    # Each unit is tokenised just before it is read (a page of many thousand sentences never holds them all
    # tokenised at once), one encode at a time: the tokenizers binding may refuse two at once ("Already
    # borrowed"), and encoding is about 1% of the network's time.
    pairs_out: list = [None] * len(texts)
    opp_out: list = [None] * len(texts)
    encoding = threading.Lock()
    next_unit = itertools.count()  # shared by the threads: each takes the next unread unit (next() is atomic)
    failures: list[BaseException] = []  # the first stops every thread; the calling thread raises it

    def read_some() -> None:
        try:
            for i in next_unit:
                if i >= len(texts) or failures:
                    return
                with encoding:
                    e = tokenizer.encode(texts[i][0], texts[i][1] or None)
                ids = np.array([e.ids], dtype=np.int64)
                pairs, opp = model.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                                      "token_type_ids": np.array([e.type_ids], dtype=np.int64)})
                pairs_out[i] = pairs[0].tolist()
                opp_out[i] = opp[0].tolist()
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread below
            failures.append(exc)

    def read_on_a_spare_core() -> None:
        _only_on_spare_cores()
        read_some()

    extra = min(_THREADS.get(), len(texts) // _UNITS_PER_EXTRA_THREAD + 1) - 1
    helpers = [threading.Thread(target=read_on_a_spare_core, name=f"smallprint-reader-{k + 1}", daemon=True)
               for k in range(extra)]
    try:
        for helper in helpers:
            helper.start()
        read_some()
        for helper in helpers:
            helper.join()
    except BaseException as exc:  # a time limit (time_budget's SIGALRM) or Ctrl+C while waiting for them
        failures.append(exc)  # they stop after the unit each is reading (milliseconds): none reads on unseen
        for helper in helpers:
            while helper.is_alive():
                try:
                    helper.join()
                except BaseException:  # noqa: BLE001 - a time limit outside the main thread raises again until
                    continue  # its block is left: the threads are still joined first
        raise
    if failures:
        raise failures[0]
    return pairs_out, opp_out


# Severe practices that the rules may show where the reader's second thoughts do not: missing "we train AI on your
# photos" or "we sell your data" is the worst miss this product can make. The rules explain, they do not overrule
# the reader: such a reading is shown only where the practice ensemble gives the practice at least the arbiter's
# `severe_rules_cut` (searched with the other cut-offs; held out the gate cut these readings on the shared 28 by
# about half, MODEL_CARD_reader.md gives today's count). Ungated where a model folder has no second thoughts. Where
# the reader reads the practice too, its polarity is shown (it is right more often where the two disagree: 525 vs
# 205 held-out sentences), except for the practices of POLARITY_FROM_RULES below.
SEVERE_FROM_RULES = UNCAPPED  # ai_training, biometric, sale_of_data
# Practices whose polarity the rules decide where both read the practice: on the held-out folds the recognizers'
# polarity was right where the reader's was wrong for security in 15 sentences to 0 (4 of 5 folds; "we cannot
# guarantee" vs "we protect"), and the recognizers' sale readings were more precise (0.81 vs 0.70) — "we may sell"
# must never show as a promise not to sell.
POLARITY_FROM_RULES = frozenset({"security", "sale_of_data"})


def decide(probs: Sequence[float], threshold, with_rules: float = 1.0,
           rule_readings: Mapping[str, str] | None = None) -> list[tuple[str, str, float]]:
    """The (practice, polarity, probability) readings of one unit: a practice is read where its likeliest polarity
    reaches the practice's cut-off (`threshold(practice)`), or `with_rules` where a recognizer reads the practice
    too; with the reader's likeliest polarity (one polarity per practice, as the labelling guide asks). A severe
    practice the recognizers read and the reader does not is read with the recognizers' polarity.
    `rule_readings`: {practice: polarity} of the recognizers for this unit."""
    rule_readings = rule_readings or {}
    out = []
    for k, practice in enumerate(PRACTICE_IDS):
        base = 3 * k
        trio = probs[base:base + 3]
        best = max(range(3), key=trio.__getitem__)
        if trio[best] >= threshold(practice) or (practice in rule_readings and trio[best] >= with_rules):
            polarity = PAIR_LABELS[base + best][1]
            if practice in POLARITY_FROM_RULES and practice in rule_readings:
                polarity = rule_readings[practice]
            out.append((practice, polarity, float(trio[best])))
        elif practice in SEVERE_FROM_RULES and practice in rule_readings:
            out.append((practice, rule_readings[practice], float(trio[best])))
    return out


# The confidence of a severe practice shown on the rules' word alone (the reader gives it little weight): shown,
# but below the key findings' cut-off (key_findings.MIN_CONFIDENCE), so such a clause is never led with.
RULES_ONLY_CONFIDENCE = 0.35


def with_severe_rules(readings: list[tuple[str, str, float]], rule_readings: Mapping[str, tuple[str, str]],
                      admitted: Collection[str] | None = None) -> list[tuple[str, str, float, str]]:
    """The shown readings of a unit with the rules' two say-sos: a severe practice the recognizers read and the
    reader does not show is shown with their polarity at RULES_ONLY_CONFIDENCE (source "rules") if it is among
    `admitted` (all severe practices when None; the second thoughts admit those they give enough weight,
    arbiter.severe_admitted), and where both read a practice of POLARITY_FROM_RULES the recognizers' polarity is
    kept (source "rules_polarity"); else "reader"."""
    out = []
    for practice, polarity, confidence in readings:
        if practice in POLARITY_FROM_RULES and practice in rule_readings \
                and rule_readings[practice][0] != polarity:
            out.append((practice, rule_readings[practice][0], confidence, "rules_polarity"))
        else:
            out.append((practice, polarity, confidence, "reader"))
    shown = {r[0] for r in readings}
    for practice in sorted(SEVERE_FROM_RULES & set(rule_readings) - shown):
        if admitted is not None and practice not in admitted:
            continue
        out.append((practice, rule_readings[practice][0], RULES_ONLY_CONFIDENCE, "rules"))
    return out


def read_units(units: Sequence[Unit], rule_readings: Sequence[dict], model: ReaderModel | None = None
               ) -> list[list[tuple[str, str, float, str]]]:
    """The readings of each unit (an empty list for units too short to state a practice): (practice, polarity,
    confidence, source), source as `with_severe_rules` names it ("reader", "rules" or "rules_polarity").
    `rule_readings[i]` is the recognizers' {practice: (polarity, why)} for unit i (`clauses.read_clause`)."""
    model = model or load_model()
    readable = [i for i, u in enumerate(units) if u.readable]
    # A sentence that only points elsewhere ("Learn more about ...") is read like any other, so that its neighbours'
    # second thoughts see the page as it is, but shown with no reading (pointers.py: the labelling guide's rule 2).
    pointers = {i for i in readable if points_elsewhere(units[i].text)}
    # Policies repeat themselves (table rows, "Learn more" lines, the same clause per section), and a hostile page
    # may repeat one line a hundred thousand times: each distinct (sentence, context) pair is read once.
    texts = [pair_text(units[i]) for i in readable]
    distinct = list(dict.fromkeys(texts))
    pairs, _ = probabilities(model, distinct)
    probs_of = dict(zip(distinct, pairs))
    out: list[list[tuple[str, str, float, str]]] = [[] for _ in units]
    if model.arbiter is None:
        for i, text in zip(readable, texts):
            rules = {practice: reading[0] for practice, reading in rule_readings[i].items()}
            # `decide` applies the same two rule say-sos itself (it predates the second thoughts); only the
            # source is told apart here, so that the pipeline explains a rules-only reading as such
            out[i] = [] if i in pointers else [
                (p, pol, conf, "reader") if conf >= model.with_rules or p not in rules
                else (p, pol, RULES_ONLY_CONFIDENCE, "rules")
                for p, pol, conf in decide(probs_of[text], model.threshold, model.with_rules, rules)]
        return out
    words_of: dict[str, list[float]] = {}
    for a, b in distinct:
        key = words_text(a, b)
        if key not in words_of:
            words_of[key] = model.words.probabilities(linear.tokenize(key))
    row_of = {text: j for j, text in enumerate(distinct)}
    view = policy_view(pairs, [words_of[words_text(a, b)] for a, b in distinct], [row_of[t] for t in texts],
                       [{p: r[0] for p, r in rule_readings[i].items()} for i in readable],
                       [a for a, _ in texts], [b for _, b in texts])
    found_by_unit, admitted = model.arbiter.read_with_admitted(view)
    for i, found, severe in zip(readable, found_by_unit, admitted):
        out[i] = [] if i in pointers else with_severe_rules(found, rule_readings[i], severe)
    return out


# The OPP-115 categories at full depth: the reader's segment head averaged with the segments model (the quick
# depth's word model), with per-category cut-offs (scripts/train_opp_blend.py; held-out figures in the file and
# MODEL_CARD_reader.md). Only `smallprint eval` asks for them.
OPP_BLEND_FILE = "opp_blend.json"
OPP_BLEND_FORMAT = "smallprint-opp-blend/1"


@dataclass(frozen=True)
class OppBlend:
    reader_weight: float
    cuts: tuple[float, ...]  # per category, in the reader's `opp` order


def load_opp_blend(folder: Path, categories: Sequence[str]) -> OppBlend:
    """The blend in `folder`; ValueError when it is missing, damaged or for other categories."""
    path = Path(folder) / OPP_BLEND_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != OPP_BLEND_FORMAT or tuple(data["categories"]) != tuple(categories):
            raise ValueError("not a blend for these OPP-115 categories")
        weight, cuts = float(data["reader_weight"]), tuple(float(c) for c in data["cuts"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if not 0 <= weight <= 1 or len(cuts) != len(categories):
        raise ValueError(f"cannot read {path}: a weight outside 0..1 or a cut-off per category missing")
    return OppBlend(weight, cuts)


def opp_categories(texts: Sequence[str], model: ReaderModel | None = None, cut: float = 0.5,
                   words_probabilities: Sequence[Sequence[float]] | None = None) -> list[list[str]]:
    """The OPP-115 categories of whole segments (blocks). With `words_probabilities` (the segments model's, per
    text, in the reader's category order) and a blend in the model folder: their average with the reader's segment
    head, at the blend's cut-offs; otherwise the head alone at `cut`."""
    model = model or load_model()
    distinct = list(dict.fromkeys(segment_text(t) for t in texts))
    _, opp = probabilities(model, [(t, "") for t in distinct], model.segment_tokenizer)
    opp_of = dict(zip(distinct, opp))
    opp = [opp_of[segment_text(t)] for t in texts]
    blend = model.opp_blend
    if words_probabilities is None or blend is None:
        return [[c for c, p in zip(model.opp, row) if p >= cut] for row in opp]
    w = blend.reader_weight
    return [[c for c, p, q, k in zip(model.opp, row, words, blend.cuts) if w * p + (1 - w) * q >= k]
            for row, words in zip(opp, words_probabilities)]
