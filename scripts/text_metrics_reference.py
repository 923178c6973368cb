#!/usr/bin/env python3
"""Reference values for the text metrics of src/plugins/metrics (themis), written to
test/fixtures/text_metrics_reference.json and test/fixtures/python_unicode_reference.json.

Run from the repository root:  python3 scripts/text_metrics_reference.py
Needs sacrebleu 2.x (pip install sacrebleu). Deterministic: every case is built from the
literal atoms below; the JSON is written with sorted keys.

Where each reference comes from:
- SQuAD v1.1 exact match and F1: `normalize_answer`, `f1_score`, `exact_match_score` and
  `metric_max_over_ground_truths` copied verbatim from the official evaluate-v1.1.py
  (https://rajpurkar.github.io/SQuAD-explorer/, "Official evaluation script for v1.1").
- BLEU: the sacrebleu package itself (`sentence_bleu`, `BLEU(...).sentence_score`,
  `corpus_bleu`).
- ROUGE-L: the rouge-score package is not installable here, so its definition is reproduced
  from its source (google-research/rouge, rouge_score/tokenize.py and rouge_scorer.py,
  `_score_lcs` with the default tokenizer and no stemmer): lowercase, replace every run of
  characters other than [a-z0-9] by a space, split on whitespace, keep tokens matching
  ^[a-z0-9]+$; LCS by dynamic programming; P = LCS/len(prediction), R = LCS/len(target),
  F = 2PR/(P + R), all 0 when either side has no token; several targets: the one with the best
  F (first on ties, rouge-score's `score_multi`). themis' own "unicode" and "whitespace"
  tokenizers are defined here the same way (Unicode categories L*, M*, N* kept / str.split()).
"""

import collections
import json
import logging
import os
import re
import string
import sys
import unicodedata

import sacrebleu
from sacrebleu.metrics import BLEU

logging.getLogger("sacrebleu").setLevel(logging.ERROR)  # "enable effective_order" advice
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "text_metrics_reference.json")
UNICODE_OUT = os.path.join(ROOT, "test", "fixtures", "python_unicode_reference.json")


# --- SQuAD v1.1, official evaluate-v1.1.py (verbatim) ---

def normalize_answer(s):
    """Lower text and remove punctuation, articles and extra whitespace."""
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def f1_score(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def exact_match_score(prediction, ground_truth):
    return (normalize_answer(prediction) == normalize_answer(ground_truth))


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    scores_for_ground_truths = []
    for ground_truth in ground_truths:
        score = metric_fn(prediction, ground_truth)
        scores_for_ground_truths.append(score)
    return max(scores_for_ground_truths)


# --- rouge-score ROUGE-L, reproduced from its source (see the module docstring) ---

NON_ALPHANUM_RE = re.compile(r"[^a-z0-9]+")
SPACES_RE = re.compile(r"\s+")
VALID_TOKEN_RE = re.compile(r"^[a-z0-9]+$")


def rouge_tokenize(text, tokenizer):
    text = text.lower()
    if tokenizer == "ascii":  # rouge_score/tokenize.py, stemmer=None
        text = NON_ALPHANUM_RE.sub(" ", text)
        tokens = SPACES_RE.split(text)
        return [x for x in tokens if VALID_TOKEN_RE.match(x)]
    if tokenizer == "unicode":  # themis: keep letters, marks and numbers of any script
        kept = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in text)
        return kept.split()
    return text.split()  # themis "whitespace"


def lcs_length(ref, can):
    rows = len(ref)
    cols = len(can)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            if ref[i - 1] == can[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[-1][-1]


def score_lcs(target_tokens, prediction_tokens):
    if not target_tokens or not prediction_tokens:
        return {"precision": 0.0, "recall": 0.0, "fmeasure": 0.0}
    lcs = lcs_length(target_tokens, prediction_tokens)
    precision = lcs / len(prediction_tokens)
    recall = lcs / len(target_tokens)
    fmeasure = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "fmeasure": fmeasure}


def rouge_l(prediction, references, tokenizer):
    predicted = rouge_tokenize(prediction, tokenizer)
    scores = [score_lcs(rouge_tokenize(r, tokenizer), predicted) for r in references]
    return max(scores, key=lambda s: s["fmeasure"])  # first maximum, as score_multi


# --- sacrebleu ---

BLEU_VARIANTS = {
    "default": {},
    "tokenize_none": {"tokenize": "none"},
    "lowercase": {"lowercase": True},
    "smooth_floor": {"smooth_method": "floor"},
    "smooth_none_no_effective_order": {"smooth_method": "none", "effective_order": False},
}


def bleu_result(score):
    return {"score": score.score, "counts": list(score.counts), "totals": list(score.totals),
            "bp": score.bp, "sysLen": score.sys_len, "refLen": score.ref_len,
            "precisions": list(score.precisions)}


def sentence_bleus(prediction, references):
    out = {"default": bleu_result(sacrebleu.sentence_bleu(prediction, references))}
    for name, kwargs in BLEU_VARIANTS.items():
        if name == "default":
            continue
        kwargs = {"effective_order": True, **kwargs}
        out[name] = BLEU(**kwargs).sentence_score(prediction, references).score
    return out


# --- cases ---

LONG = "The cat sat on the mat, didn't it? " * 300
ATOMS = [
    "", " ", "\t\n", "\ufeff", "\ufeffhello world", "hello world\ufeff", "a b\x85c d",
    "a\x1cb\x1dc\x1ed\x1fe", "tab\tseparated\tvalues", "new\nline", "cr\rlf\r\nend",
    "\x0bvertical\x0cform", "non\xa0breaking", "em\u2003space", "\u2000\u200a", "\u200bzero width",
    "ideographic\u3000space", "line\u2028para\u2029sep", "narrow\u202fnbsp\u205fmath", "ogham\u1680mark",
    "!!!", "...", "?!.,;:", "&quot;quoted&quot; &amp; &lt;tag&gt;", "<skipped> text", "hyphen-\nated",
    "3.14", "1,000,000", "-5", "12-3", "1.5e10", "$3.50", "50%", "No. 7", "0.5 . 5", "v1.2.3",
    "The the THE a an An", "a.b", "the_end", "theater an apple", "an apple a day", "A", "a",
    "the", "the cat", "The Cat sat on the mat.", "the cat sat on a mat", "Cat sat mat",
    "Café", "cafe\u0301", "İstanbul", "ΣΊΣΥΦΟΣ", "straße STRASSE", "ǅungla", "Kelvin \u212a",
    "ﬁne ligature", "Ω ohm \u2126", "東京は日本の首都です。", "北京，上海。", "한국어 텍스트",
    "日本 語", "👍🏽 great 🎉", "👨\u200d👩\u200d👧 family", "🇫🇷 flag", "e\u0301 a\u0300",
    "\u0301 lone mark", "مرحبا بالعالم", "שלום עולם", "\x00null\x01", "\x7fdel", "\u0085nel",
    "x\ud800y", "١٢٣ arabic digits", "½ ¾ ² superscript", "Ⅻ roman", "_under_score_",
    "it's don't", "\"quoted\"", "(paren) [bracket] {brace}", "a/b\\c", "@#$%^&*", "~`|",
    LONG, "word " * 1200 + "end",
]
REFERENCE_POOL = ["the cat sat on the mat", "", "hello world", "3.14", "Café", "東京",
                  "a b c d", "The Cat", "1,000,000"]


def build_cases():
    cases = []
    for i, atom in enumerate(ATOMS):
        cases.append((atom, [atom]))  # identical
        cases.append((atom, [REFERENCE_POOL[i % len(REFERENCE_POOL)]]))
        cases.append((f"the cat {atom} sat", ["the cat sat on the mat"]))
        cases.append((REFERENCE_POOL[(i + 3) % len(REFERENCE_POOL)], [atom]))
    # several references: any of them is accepted
    for i in range(0, len(ATOMS) - 2, 3):
        cases.append((ATOMS[i], [ATOMS[i + 1], ATOMS[i + 2], ATOMS[i]]))
        cases.append((f"{ATOMS[i]} {ATOMS[i + 1]}", [ATOMS[i + 2], "the cat sat on the mat"]))
    return cases


def case_reference(prediction, references):
    return {
        "prediction": prediction,
        "references": references,
        "normalized": [normalize_answer(prediction)] + [normalize_answer(r) for r in references],
        "exactMatch": 1 if metric_max_over_ground_truths(exact_match_score, prediction,
                                                         references) else 0,
        "f1": float(metric_max_over_ground_truths(f1_score, prediction, references)),
        "bleu": sentence_bleus(prediction, references),
        "rougeL": {t: rouge_l(prediction, references, t) for t in ["ascii", "unicode",
                                                                    "whitespace"]},
    }


def corpus_cases(cases):
    """sacrebleu.corpus_bleu over slices of the table; variable reference counts are padded
    with None, which sacrebleu skips."""
    out = []
    slices = [("all cases", 0, len(cases)), ("first 40", 0, 40), ("cases 40-120", 40, 120),
              ("last 60", len(cases) - 60, len(cases)), ("single case", 5, 6)]
    for name, start, end in slices:
        part = cases[start:end]
        hyps = [p for p, _ in part]
        width = max(len(refs) for _, refs in part)
        streams = [[refs[k] if k < len(refs) else None for _, refs in part]
                   for k in range(width)]
        for variant, kwargs in [("default", {}), ("lowercase", {"lowercase": True}),
                                ("tokenize_none", {"tokenize": "none"})]:
            score = sacrebleu.corpus_bleu(hyps, streams, **kwargs)
            out.append({"name": f"{name} ({variant})", "start": start, "end": end,
                        "options": kwargs, "expected": bleu_result(score)})
    return out


def ranges(code_points):
    out = []
    for cp in code_points:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def unicode_reference():
    assigned, word, lower = [], [], []
    for cp in range(0x110000):
        c = chr(cp)
        if unicodedata.category(c) in ("Cn", "Cs"):
            continue
        assigned.append(cp)
        if re.match(r"\w", c):
            word.append(cp)
        if c.lower() != c:
            lower.append([cp, c.lower()])
    return {
        "_about": "Generated by scripts/text_metrics_reference.py; do not edit by hand.",
        "_versions": {"python": sys.version.split()[0],
                      "unicode": unicodedata.unidata_version},
        "assigned": ranges(assigned),
        "whitespace": [cp for cp in range(0x110000) if chr(cp).isspace()],
        "word": ranges(word),
        "lower": lower,
        "finalSigma": {s: s.lower() for s in ["ΑΣ", "ΑΣ.", "Σ", "ΑΣΑ", "Α\u0301Σ", "ΑΣ\u0301",
                                               "ΑΣ'Α", "A\u00adΣ", "ΑΣ\u200b", "Σ Σ", "ΣΣ"]},
    }


def write(path, data):
    text = json.dumps(data, sort_keys=True, indent=1, allow_nan=False) + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {os.path.relpath(path)} ({len(text)} bytes)")


def main():
    cases = build_cases()
    write(OUT, {
        "_about": "Generated by scripts/text_metrics_reference.py; do not edit by hand.",
        "_versions": {"python": sys.version.split()[0], "sacrebleu": sacrebleu.__version__,
                      "unicode": unicodedata.unidata_version},
        "cases": [case_reference(p, refs) for p, refs in cases],
        "corpusBleu": corpus_cases(cases),
    })
    write(UNICODE_OUT, unicode_reference())


if __name__ == "__main__":
    main()
