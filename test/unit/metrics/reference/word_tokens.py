"""Reference tokens for test/unit/metrics/tokenize.test.ts (the table there is this script's output).

    /usr/bin/python3 test/unit/metrics/reference/word_tokens.py

Not run by the tests.
"""
import json
import re

TEXTS = [
    'Hello, world!',
    'café naïve Über straße',
    'cafe\u0301 (decomposed accent)',
    "l'élève n'est pas là...",
    'snake_case_var = 42; x2 += 3.14',
    '½ Ⅻ ²³ ٣٤ 日本語テキスト',
    '😀👍🏽 emoji',
    'tabs\tand\nnewlines\u00a0nbsp\u2003em-space',
    '',
    '   ',
    'ΣΊΣΥΦΟΣ Ἀθῆναι',
]

for text in TEXTS:
    print(json.dumps([text, re.findall(r'[\w]+|[^\w\s]', text)], ensure_ascii=True) + ',')
