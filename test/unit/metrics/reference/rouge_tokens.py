"""Reference ROUGE tokens for test/unit/metrics/rouge.test.ts (the table there is this script's output).

rouge-score cannot be installed here, so this applies the four lines of its tokenizer
(google-research/google-research rouge/tokenize.py) with the stemmer its DefaultTokenizer builds
(rouge/tokenizers.py: porter.PorterStemmer(), i.e. NLTK_EXTENSIONS mode), NLTK 3.8 from Debian:

    /usr/bin/python3 test/unit/metrics/reference/rouge_tokens.py

Not run by the tests.
"""
import json
import re

from nltk.stem import porter

STEMMER = porter.PorterStemmer()


def tokenize(text, stemmer):
    # rouge/tokenize.py, verbatim but for six.ensure_str.
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    tokens = re.split(r"\s+", text)
    if stemmer:
        tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]
    tokens = [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]
    return tokens


TEXTS = [
    'The quick brown fox jumps over the lazy dog.',
    'Possibly, the dying generously sayings were happily forgotten.',
    "Le café n'est pas naïve — l'élève İstanbul \u212aelvin",
    'Numbers 123 and mixed a1b2 tokens under_scored, COVID-19!',
    '日本語のテキスト',
    '',
]

for text in TEXTS:
    print(json.dumps([text, tokenize(text, None), tokenize(text, STEMMER)], ensure_ascii=False) + ',')
