"""Reference values for test/unit/metrics/bleu.test.ts, gleu.test.ts and tokenize.test.ts.

Run with Debian's NLTK 3.8 (apt-get install python3-nltk), which only /usr/bin/python3 sees:

    /usr/bin/python3 test/unit/metrics/reference/bleu_gleu.py > test/unit/metrics/fixtures/bleu_gleu.json

Not run by the tests: its output is committed as the fixture.
"""
import json
import re
import sys
import warnings

import nltk
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from nltk.translate.gleu_score import sentence_gleu

# method0 warns for every zero precision; the warnings say nothing the values don't.
warnings.simplefilter('ignore')


def tokenize(text):
    # The same tokens as core/scoring/metrics/tokenize.ts (/[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu).
    return re.findall(r'[\w]+|[^\w\s]', text)


def long_text(count, variant):
    # Same formula as longText() in bleu.test.ts: 97 made-up words, every 10th one changed in the variant.
    words = []
    for i in range(count):
        k = (i * i * 31 + i * 7) % 97
        if variant and i % 10 == 0:
            k = (k + 1) % 97
        words.append('w%d' % k)
    return ' '.join(words)


NLTK_DOC_HYPOTHESIS_1 = 'It is a guide to action which ensures that the military always obeys the commands of the party'
NLTK_DOC_HYPOTHESIS_2 = 'It is to insure the troops forever hearing the activity guidebook that party direct'
NLTK_DOC_REFERENCES = [
    'It is a guide to action that ensures that the military will forever heed Party commands',
    'It is the guiding principle which guarantees the military forces always being under the command of the Party',
    'It is the practical guide for the army always to heed the directions of the party',
]

# (name, references, hypothesis)
CASES = [
    ('identical texts', ['The quick brown fox jumps over the lazy dog.'], 'The quick brown fox jumps over the lazy dog.'),
    ('no overlap', ['the cat sat on the mat'], 'dogs bark loudly at night'),
    ('shorter hypothesis (brevity penalty)', ['the cat is sitting on the red mat in the kitchen today'], 'the cat is on the mat'),
    ('longer hypothesis', ['the cat is on the mat'], 'the cat is sitting on the red mat in the kitchen today'),
    ('multiple references (NLTK doc hypothesis 1)', NLTK_DOC_REFERENCES, NLTK_DOC_HYPOTHESIS_1),
    ('multiple references, no 3- or 4-gram match (NLTK doc hypothesis 2)', NLTK_DOC_REFERENCES, NLTK_DOC_HYPOTHESIS_2),
    ('hypothesis of 2 tokens', ['the cat sat on the mat'], 'the cat'),
    ('hypothesis of 3 tokens', ['the cat sat on the mat'], 'the cat sat'),
    ('hypothesis of 1 token', ['the cat sat'], 'cat'),
    ('repeated words are clipped', ['the cat is on the mat', 'there is a cat on the mat'], 'the the the the the the the'),
    ('repeated bigrams are clipped', ['we will see'], 'we will we will we will see'),
    ('unicode: accents', ["Le café est très naïve, dit l'élève."], "Le café n'est pas naïve, dit l'élève."),
    ('unicode: CJK, Cyrillic and emoji', ['我喜欢 日本語 и русский 😀 ok 👍'], '我喜欢 日本語 и русский 😀 ok'),
    ('punctuation tokens', ['Hello, world! How are you?'], 'Hello world, how are you?'),
    ('case matters', ['the cat sat on the mat'], 'The Cat sat on the Mat'),
    ('underscores and numbers', ['snake_case_var = 42 items, 3.14 each'], 'snake_case_var = 43 items, 3.14 each'),
    ('closest reference length, tie goes to the shorter', ['a b c d e f g h i j k', 'a b c d e f g h i j k l m'], 'a b c d e f g h i j x y'),
    ('one empty reference among others', ['', 'the cat sat on the mat'], 'the cat sat on a mat'),
    ('only punctuation', ['... !!'], '?!'),
    ('empty hypothesis', ['the cat sat on the mat'], ''),
    ('empty reference', [''], 'the cat sat on the mat'),
    ('both empty', [''], ''),
    ('long texts (5,000 words each)', ['<long:5000:0>'], '<long:5000:1>'),
]

SMOOTHINGS = ['none', 'method1', 'method2', 'method3', 'method4', 'method7']

# (name, case name, options) for options other than the defaults, each over every smoothing.
OPTION_CASES = [
    ('BLEU-1', 'multiple references (NLTK doc hypothesis 1)', {'weights': [1]}),
    ('BLEU-2', 'shorter hypothesis (brevity penalty)', {'weights': [0.5, 0.5]}),
    ('BLEU-3', 'unicode: accents', {'weights': [1 / 3, 1 / 3, 1 / 3]}),
    ('BLEU-5', 'multiple references (NLTK doc hypothesis 1)', {'weights': [0.2, 0.2, 0.2, 0.2, 0.2]}),
    ('BLEU-6', 'longer hypothesis', {'weights': [1 / 6] * 6}),
    ('uneven weights', 'punctuation tokens', {'weights': [0.1, 0.3, 0.5, 0.1]}),
    ('a zero weight', 'hypothesis of 3 tokens', {'weights': [0.5, 0.5, 0, 0]}),
    ('epsilon 0.01', 'multiple references, no 3- or 4-gram match (NLTK doc hypothesis 2)', {'epsilon': 0.01}),
    ('epsilon 0.5', 'hypothesis of 2 tokens', {'epsilon': 0.5}),
]

GLEU_LENGTHS = [(1, 4), (1, 1), (1, 2), (2, 3), (3, 4), (2, 6)]


def expand(text):
    if text.startswith('<long:'):
        count, variant = text[6:-1].split(':')
        return long_text(int(count), variant == '1')
    return text


def bleu(references, hypothesis, smoothing, options):
    function = getattr(SmoothingFunction(epsilon=options.get('epsilon', 0.1)), 'method0' if smoothing == 'none' else smoothing)
    weights = tuple(options.get('weights', (0.25, 0.25, 0.25, 0.25)))
    return float(sentence_bleu(references, hypothesis, weights, smoothing_function=function))


def main():
    cases = {}
    out = {'nltk': nltk.__version__, 'python': sys.version.split()[0], 'cases': [], 'optionCases': []}
    for name, references, hypothesis in CASES:
        reference_tokens = [tokenize(expand(reference)) for reference in references]
        hypothesis_tokens = tokenize(expand(hypothesis))
        cases[name] = (reference_tokens, hypothesis_tokens)
        long = hypothesis.startswith('<long:')
        out['cases'].append({
            'name': name,
            'references': references,
            'hypothesis': hypothesis,
            # Token lists of the 5,000-word texts are left out; the test regenerates the texts.
            'referenceTokens': None if long else reference_tokens,
            'hypothesisTokens': None if long else hypothesis_tokens,
            'bleu': {smoothing: bleu(reference_tokens, hypothesis_tokens, smoothing, {}) for smoothing in SMOOTHINGS},
            'gleu': [{'minLen': low, 'maxLen': high, 'value': float(sentence_gleu(reference_tokens, hypothesis_tokens, low, high))} for low, high in GLEU_LENGTHS],
        })
    for name, case_name, options in OPTION_CASES:
        reference_tokens, hypothesis_tokens = cases[case_name]
        out['optionCases'].append({
            'name': name,
            'case': case_name,
            'options': options,
            'bleu': {smoothing: bleu(reference_tokens, hypothesis_tokens, smoothing, options) for smoothing in SMOOTHINGS},
        })
    # GLEU with no reference at all: NLTK returns 0.0 (BLEU raises).
    out['gleuWithoutReferences'] = float(sentence_gleu([], ['a', 'b']))
    json.dump(out, sys.stdout, ensure_ascii=False, indent='\t')
    sys.stdout.write('\n')


main()
