"""Reference values for the similarity options: BLEU and GLEU for every NLTK smoothing method,
max n-gram order, tokenisation and lowercasing; chrF and chrF++; ROUGE with the CJK tokeniser.
Used by test/unit/metrics/similarityOptions.test.ts, chrf.test.ts and rougeCjk.test.ts.

Run with Debian's NLTK 3.8 (apt-get install python3-nltk python3-regex), which only
/usr/bin/python3 sees:

    /usr/bin/python3 test/unit/metrics/reference/similarity_options.py > test/unit/metrics/fixtures/similarity_options.json

Not run by the tests: its output is committed as the fixture.

What comes from where:
- BLEU and GLEU: NLTK 3.8's sentence_bleu (SmoothingFunction().method0..method7) and
  sentence_gleu, on the tokens below.
- The tokenisers 13a, intl, zh and char are sacrebleu's (sacrebleu cannot be installed here), written
  here from their definitions; before anything is printed, they are checked against sacrebleu's
  published figures (test/test_bleu.py and test/test_sentence_bleu.py of mjpost/sacrebleu), which
  NLTK's corpus_bleu / sentence_bleu reproduce on these tokens. The zh tokeniser's table is
  sacrebleu's _UCODE_RANGES, written with the same Python escapes, so it has the same effect.
- chrF / chrF++: sacrebleu's CHRF written here from its definition (sacrebleu/metrics/chrf.py),
  checked first against the figures of sacrebleu's test/test_chrf.py and of Hugging Face
  evaluate's chrf metric card (computed with sacrebleu).
- ROUGE with the CJK tokeniser: the tokens below, then ROUGE-1/2/L as rouge-score computes them
  (n-gram overlap; LCS by the textbook recurrence).
"""
import json
import math
import re
import sys
import unicodedata
import warnings
from collections import Counter

import nltk
import regex
from nltk.translate.bleu_score import SmoothingFunction, closest_ref_length, corpus_bleu, modified_precision, sentence_bleu
from nltk.translate.gleu_score import sentence_gleu

# method0 warns for every zero precision; the warnings say nothing the values don't.
warnings.simplefilter('ignore')

# ---------------------------------------------------------------------------------------------
# Tokenisers

def words(text):
    # core/scoring/metrics/tokenize.ts's default ("words").
    return re.findall(r'[\w]+|[^\w\s]', text)


def regexp_rules(line):
    # sacrebleu's TokenizerRegexp: split off ASCII punctuation (except ' , - .), then . and , next
    # to a non-digit, then - after a digit; single spaces.
    line = re.sub(r'([\{-\~\[-\` -\&\(-\+\:-\@\/])', r' \1 ', line)
    line = re.sub(r'([^0-9])([\.,])', r'\1 \2 ', line)
    line = re.sub(r'([\.,])([^0-9])', r' \1 \2', line)
    line = re.sub(r'([0-9])(-)', r'\1 \2 ', line)
    return line.split()


def tok_13a(line):
    line = line.replace('<skipped>', '').replace('-\n', '').replace('\n', ' ')
    if '&' in line:
        line = line.replace('&quot;', '"').replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>')
    return regexp_rules(' ' + line + ' ')


def tok_intl(line):
    line = regex.sub(r'(\P{N})(\p{P})', r'\1 \2 ', line)
    line = regex.sub(r'(\p{P})(\P{N})', r' \1 \2', line)
    line = regex.sub(r'(\p{S})', r' \1 ', line)
    return line.split()


# sacrebleu's _UCODE_RANGES (sacrebleu/tokenizers/tokenizer_zh.py), with the same escapes: Python
# reads '\u20000' as '\u2000' followed by '0', and so on, which is what gives the table its effect.
ZH_TABLE = [
    ('\u3400', '\u4db5'), ('\u4e00', '\u9fa5'), ('\u9fa6', '\u9fbb'), ('\uf900', '\ufa2d'),
    ('\ufa30', '\ufa6a'), ('\ufa70', '\ufad9'), ('\u20000', '\u2a6d6'), ('\u2f800', '\u2fa1d'),
    ('\uff00', '\uffef'), ('\u2e80', '\u2eff'), ('\u3000', '\u303f'), ('\u31c0', '\u31ef'),
    ('\u2f00', '\u2fdf'), ('\u2ff0', '\u2fff'), ('\u3100', '\u312f'), ('\u31a0', '\u31bf'),
    ('\ufe10', '\ufe1f'), ('\ufe30', '\ufe4f'), ('\u2600', '\u26ff'), ('\u2700', '\u27bf'),
    ('\u3200', '\u32ff'), ('\u3300', '\u33ff'),
]


def is_zh(char):
    return any(low <= char <= high for low, high in ZH_TABLE)


def tok_zh(line):
    line = line.strip()
    return regexp_rules(''.join(' ' + c + ' ' if is_zh(c) else c for c in line))


def tok_char(line):
    return ' '.join(line).split()


SACREBLEU = {'13a': tok_13a, 'intl': tok_intl, 'zh': tok_zh, 'char': tok_char}
TOKENIZERS = ['words', 'whitespace', '13a', 'intl', 'zh', 'char']


def tokens(text, tokenizer, lowercase=False):
    if lowercase:
        text = text.lower()
    if tokenizer == 'words':
        return words(text)
    if tokenizer == 'whitespace':
        return text.split()
    # sacrebleu's BLEU strips the end of the line before tokenising.
    return SACREBLEU[tokenizer](text.rstrip())


def zh_ranges():
    ranges = []
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        if is_zh(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return ranges


CJK_TOKEN = regex.compile(
    r'(?=[\p{L}\p{N}])[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]'
    r'|(?:(?![\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}])[\p{L}\p{N}])+'
)


def rouge_tokens(text, tokenizer):
    if tokenizer == 'cjk':
        return CJK_TOKEN.findall(text.lower())
    # rouge-score's tokenize.py without the stemmer.
    return [t for t in re.split(r'\s+', re.sub(r'[^a-z0-9]+', ' ', text.lower())) if re.match(r'^[a-z0-9]+$', t)]

# ---------------------------------------------------------------------------------------------
# Metrics

SMOOTHINGS = ['method0', 'method1', 'method2', 'method3', 'method4', 'method5', 'method6', 'method7']


def bleu(references, hypothesis, smoothing, order=4, epsilon=0.1):
    function = getattr(SmoothingFunction(epsilon=epsilon), smoothing)
    try:
        return float(sentence_bleu(references, hypothesis, (1 / order,) * order, smoothing_function=function))
    except AssertionError:
        return None  # method6 without a matching 3-gram: NLTK asserts
    except IndexError:
        return None  # method6 with fewer than 3 orders: NLTK fails


PUNCTS = set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')


def chrf_words(sentence):
    out = []
    for w in sentence.split():
        if len(w) == 1:
            out.append(w)
        elif w[-1] in PUNCTS:
            out += [w[:-1], w[-1]]
        elif w[0] in PUNCTS:
            out += [w[0], w[1:]]
        else:
            out.append(w)
    return out


def ngram_counts(sequence, n, join):
    return Counter(join(sequence[i:i + n]) for i in range(len(sequence) - n + 1))


def chrf_statistics(hypothesis, reference, char_order, word_order, whitespace):
    def prepare(text):
        chars = text if whitespace else ''.join(text.split())
        grams = [ngram_counts(chars, n, ''.join) for n in range(1, char_order + 1)]
        wrds = chrf_words(text)
        grams += [ngram_counts(wrds, n, ' '.join) for n in range(1, word_order + 1)]
        return grams

    stats = []
    for h, r in zip(prepare(hypothesis), prepare(reference)):
        matches = sum(min(count, r[g]) for g, count in h.items() if g in r)
        stats += [sum(h.values()) if r else 0, sum(r.values()), matches]
    return stats


def chrf_score(stats, beta, eps_smoothing):
    factor = beta ** 2
    orders = len(stats) // 3
    smoothed, avg_p, avg_r, effective = 0.0, 0.0, 0.0, 0
    for i in range(orders):
        n_hyp, n_ref, n_match = stats[3 * i:3 * i + 3]
        p = n_match / n_hyp if n_hyp > 0 else 1e-16
        r = n_match / n_ref if n_ref > 0 else 1e-16
        denominator = factor * p + r
        smoothed += (1 + factor) * p * r / denominator if denominator > 0 else 1e-16
        if n_hyp > 0 and n_ref > 0:
            avg_p += p
            avg_r += r
            effective += 1
    if eps_smoothing:
        return smoothed / orders
    if effective == 0:
        return 0.0
    avg_p /= effective
    avg_r /= effective
    return (1 + factor) * avg_p * avg_r / (factor * avg_p + avg_r) if avg_p + avg_r else 0.0


def chrf(hypotheses, references_per_sentence, char_order=6, word_order=0, beta=2, lowercase=False, whitespace=False, eps_smoothing=False):
    # Corpus chrF: the best reference's statistics of each sentence, summed.
    total = None
    for hypothesis, references in zip(hypotheses, references_per_sentence):
        if lowercase:
            hypothesis = hypothesis.lower()
            references = [r.lower() for r in references]
        best, best_score = None, -1.0
        for reference in references:
            stats = chrf_statistics(hypothesis, reference, char_order, word_order, whitespace)
            score = chrf_score(stats, beta, eps_smoothing)
            if score > best_score:
                best, best_score = stats, score
        total = best if total is None else [a + b for a, b in zip(total, best)]
    return chrf_score(total, beta, eps_smoothing)


def lcs(a, b):
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0
        for j in range(1, len(b) + 1):
            above = row[j]
            row[j] = diagonal + 1 if x == b[j - 1] else max(row[j - 1], above)
            diagonal = above
    return row[len(b)]


def rouge_scores(reference_tokens, candidate_tokens):
    def prf(overlap, candidate_total, reference_total):
        p = overlap / max(candidate_total, 1)
        r = overlap / max(reference_total, 1)
        return {'precision': p, 'recall': r, 'fmeasure': 2 * p * r / (p + r) if p + r > 0 else 0.0}

    out = {}
    for name, n in (('rouge1', 1), ('rouge2', 2)):
        ref, cand = ngram_counts(reference_tokens, n, tuple), ngram_counts(candidate_tokens, n, tuple)
        out[name] = prf(sum(min(c, ref[g]) for g, c in cand.items()), sum(cand.values()), sum(ref.values()))
    if not reference_tokens or not candidate_tokens:
        out['rougeL'] = {'precision': 0.0, 'recall': 0.0, 'fmeasure': 0.0}
    else:
        length = lcs(reference_tokens, candidate_tokens)
        out['rougeL'] = prf(length, len(candidate_tokens), len(reference_tokens))
    return out

# ---------------------------------------------------------------------------------------------
# Checks against published figures (sacrebleu's own tests; Hugging Face evaluate's chrf card)


def check(what, got, expected, tolerance):
    if abs(got - expected) >= tolerance:
        sys.exit(f'{what}: {got} is not {expected} (tolerance {tolerance})')


# mjpost/sacrebleu test/test_bleu.py: test_corpus_bleu_cases (corpus BLEU, two references).
SB_REFS = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
]
SB_HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.']
# sacrebleu sums each order's n-gram totals as they are; NLTK's corpus_bleu counts at least 1 per
# sentence (max(1, n-grams)), which differs where a hypothesis is shorter than 4 tokens (with
# whitespace splitting, "It wasn't surprising." has no 4-gram: NLTK gives 47.0001, sacrebleu
# 49.1919566). So sacrebleu's sums are computed here from NLTK's clipped counts.


def sacrebleu_corpus_bleu(references_per_sentence, hypotheses):
    correct, total, hyp_len, ref_len = [0] * 4, [0] * 4, 0, 0
    for references, hypothesis in zip(references_per_sentence, hypotheses):
        for n in range(1, 5):
            correct[n - 1] += modified_precision(references, hypothesis, n).numerator
            total[n - 1] += max(0, len(hypothesis) - n + 1)
        hyp_len += len(hypothesis)
        ref_len += closest_ref_length(references, len(hypothesis))
    bp = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    return bp * math.exp(sum(math.log(c / t) for c, t in zip(correct, total)) / 4)


for tokenizer, expected in (('whitespace', 49.1919566), ('13a', 48.530827), ('intl', 43.91623493)):
    refs = [[tokens(r, tokenizer) for r in refs] for refs in zip(*SB_REFS)]
    hyps = [tokens(h, tokenizer) for h in SB_HYPS]
    check(f'test_bleu.py corpus BLEU, {tokenizer}', 100 * sacrebleu_corpus_bleu(refs, hyps), expected, 1e-8)
    if tokenizer != 'whitespace':
        check(f'test_bleu.py corpus BLEU, {tokenizer}, NLTK', 100 * corpus_bleu(refs, hyps), expected, 1e-8)

# mjpost/sacrebleu test/test_sentence_bleu.py (issue #98): sacrebleu's exp = NLTK's method3,
# floor = method1 (epsilon), add-k 1 = method2, none = 0 (method0 gives a tiny number).
SB98_REF = 'producţia de zahăr brut se exprimă în zahăr alb;'
SB98_SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;'
for smoothing, epsilon, lowercase, tokenizer, expected in (
    ('method3', 0.1, False, '13a', 8.493),
    ('method0', 0.1, False, '13a', 0.0),
    ('method1', 0.1, False, '13a', 4.51688),
    ('method1', 0.5, False, '13a', 10.10),
    ('method2', 0.1, False, '13a', 14.882),
    ('method3', 0.1, False, 'whitespace', 7.347),
    ('method3', 0.1, False, 'intl', 8.493),
    ('method3', 0.1, False, 'char', 40.8759),
    ('method3', 0.1, True, 'char', 42.0267),
):
    value = bleu([tokens(SB98_REF, tokenizer, lowercase)], tokens(SB98_SYS, tokenizer, lowercase), smoothing, epsilon=epsilon)
    check(f'test_sentence_bleu.py {smoothing} {tokenizer} {lowercase}', 100 * value, expected, 1e-3)

# mjpost/sacrebleu test/test_chrf.py.
for hyps, refs, expected in (
    (['abcdefg'], ['hijklmnop'], 0.0), (['a'], ['b'], 0.0), ([''], ['b'], 0.0), ([''], ['ref'], 0.0),
    ([''], ['reference'], 0.0), (['aa'], ['ab'], 8.3333), (['a', 'b'], ['a', 'c'], 8.3333), (['a'], ['a'], 16.6667),
    (['a b c'], ['a b c'], 50.0), (['a b c'], ['abc'], 50.0),
    ([' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
     ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'], 63.361730),
    ([' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
     ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'], 64.1302698),
    (['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100.0),
):
    check(f'test_chrf.py eps {hyps}', 100 * chrf(hyps, [[r] for r in refs], beta=3, eps_smoothing=True), expected, 1e-4)
for hyps, refs, expected in (
    (['a'], ['a'], 100.0), ([''], ['reference'], 0.0), (['a b c'], ['a b c'], 100.0), (['a b c'], ['abc'], 100.0),
    ([''], ['c'], 0.0), (['a', 'b'], ['a', 'c'], 50.0), (['aa'], ['ab'], 25.0),
):
    check(f'test_chrf.py effective order {hyps}', 100 * chrf(hyps, [[r] for r in refs], beta=3), expected, 1e-4)
for hyps, refs, expected in (
    (['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
     ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'], 67.3481606),
    (['risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
     ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'], 65.2414427),
):
    check(f'test_chrf.py whitespace {hyps}', 100 * chrf(hyps, [[r] for r in refs], beta=3, whitespace=True), expected, 1e-4)
for hyp, refs, expected in (
    ('Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
     ['Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.'], 39.14078509),
    ('Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.',
     ['A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.'], 31.22557079),
    ('Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.',
     ['Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.'], 57.15704367),
):
    check(f'test_chrf.py sentence {hyp[:20]}', 100 * chrf([hyp], [refs], eps_smoothing=True), expected, 1e-4)
# huggingface/evaluate metrics/chrf/chrf.py (docstring examples, computed with sacrebleu's CHRF).
HF_PRED = ['The relationship between cats and dogs is not exactly friendly.', 'a good bookshop is just a genteel black hole that knows how to read.']
HF_REFS = [['The relationship between dogs and cats is not exactly friendly.'], ['A good bookshop is just a genteel Black Hole that knows how to read.']]
check('evaluate chrF', 100 * chrf(HF_PRED, HF_REFS), 84.64214891738334, 1e-9)
check('evaluate chrF++', 100 * chrf(HF_PRED, HF_REFS, word_order=2), 82.87263732906315, 1e-9)
check('evaluate chrF++ lowercase', 100 * chrf(HF_PRED, HF_REFS, word_order=2, lowercase=True), 92.12853119829202, 1e-9)

# ---------------------------------------------------------------------------------------------
# Cases

# (name, language, references, hypothesis)
CASES = [
    ('en: near paraphrase', 'en', ['The fast brown fox jumped over the lazy dog!'], 'The quick brown fox jumps over the lazy dog.'),
    ('en: NLTK doc, three references', 'en', [
        'It is a guide to action that ensures that the military will forever heed Party commands',
        'It is the guiding principle which guarantees the military forces always being under the command of the Party',
        'It is the practical guide for the army always to heed the directions of the party',
    ], 'It is a guide to action which ensures that the military always obeys the commands of the party'),
    ('en: numbers and punctuation', 'en', ['The U.S. economy grew 2.3% in 2019; GDP per person was about $21,000.'],
     'In 2019, the U.S. GDP grew by 2.3% -- about $21,000 per person (roughly).'),
    ('en: entities and a broken line', 'en', ['Tom & Jerry\'s &quot;show&quot; is online at 9-10 pm.'],
     'Tom &amp; Jerry\'s "show" is on-\nline at 9-10 p.m.'),
    ('en: case', 'en', ['the cat sat on the mat'], 'THE CAT sat on the Mat'),
    ('en: two-token hypothesis', 'en', ['the cat sat on the mat'], 'the cat'),
    ('en: one 3-gram matches at most', 'en', ['a b c d e f g'], 'a b c x y z w'),
    ('ro: sacrebleu issue 98', 'ro', [SB98_REF], SB98_SYS),
    ('zh: short sentence', 'zh', ['我爱吃苹果。'], '我喜欢吃苹果。'),
    ('zh: longer sentence', 'zh', ['今天的天气非常好，我们一起去公园散步吧。'], '今天天气很好，我们去公园散步吧！'),
    ('zh: mixed with Latin and digits', 'zh', ['2019年我用 Python 写了一百行代码。'], '我在2019年用Python写了100行代码。'),
    ('zh: quotes and ellipsis', 'zh', ['他说：“这只是一个测试。”'], '他说：“这是一个测试……”'),
    ('zh: two references', 'zh', ['猫坐在垫子上。', '一只猫在垫子上坐着。'], '猫在垫子上。'),
    ('ja: Japanese', 'ja', ['私は紅茶を飲みました。'], '私はコーヒーを飲みました。'),
]

MAX_ORDERS = [1, 2, 3, 5, 6]


def main():
    refs = [[tokens(r, 'whitespace') for r in refs] for refs in zip(*SB_REFS)]
    out = {
        'nltk': nltk.__version__,
        'sacrebleuCorpusWhitespaceNltk': float(corpus_bleu(refs, [tokens(h, 'whitespace') for h in SB_HYPS])),
        'python': sys.version.split()[0],
        'unicode': unicodedata.unidata_version,
        'zhRanges': zh_ranges(),
        'cases': [],
        'chrf': [],
        'rouge': [],
    }
    for name, language, references, hypothesis in CASES:
        case = {'name': name, 'language': language, 'references': references, 'hypothesis': hypothesis, 'tokenizations': []}
        for tokenizer in TOKENIZERS:
            for lowercase in (False, True):
                refs = [tokens(r, tokenizer, lowercase) for r in references]
                hyp = tokens(hypothesis, tokenizer, lowercase)
                entry = {
                    'tokenizer': tokenizer,
                    'lowercase': lowercase,
                    'referenceTokens': refs,
                    'hypothesisTokens': hyp,
                    'bleu': {s: bleu(refs, hyp, s) for s in SMOOTHINGS},
                    'gleu': {str(order): float(sentence_gleu(refs, hyp, 1, order)) for order in (1, 2, 3, 4, 6)},
                }
                if not lowercase and tokenizer in ('words', '13a', 'zh'):
                    entry['bleuByOrder'] = {str(order): {s: bleu(refs, hyp, s, order) for s in SMOOTHINGS} for order in MAX_ORDERS}
                case['tokenizations'].append(entry)
        out['cases'].append(case)
        for word_order in (0, 2):
            for lowercase in (False, True):
                for eps in (False, True):
                    out['chrf'].append({
                        'case': name, 'wordOrder': word_order, 'lowercase': lowercase, 'epsSmoothing': eps,
                        'value': chrf([hypothesis], [references], word_order=word_order, lowercase=lowercase, eps_smoothing=eps),
                    })
    rouge_cases = [(n, r[0], h) for n, _, r, h in CASES] + [
        ('ko: Korean', '나는 사과를 정말 좋아한다', '나는 사과를 좋아한다'),
        ('en: plain English', 'The cat sat on the mat.', 'The cat is on the mat.'),
        ('zh: identical', '今天天气很好', '今天天气很好'),
        ('zh: punctuation only in one', '。！？', '今天'),
    ]
    for name, reference, candidate in rouge_cases:
        for tokenizer in ('rouge_score', 'cjk'):
            ref_tokens, cand_tokens = rouge_tokens(reference, tokenizer), rouge_tokens(candidate, tokenizer)
            out['rouge'].append({
                'name': name, 'tokenizer': tokenizer, 'reference': reference, 'candidate': candidate,
                'referenceTokens': ref_tokens, 'candidateTokens': cand_tokens, 'scores': rouge_scores(ref_tokens, cand_tokens),
            })
    json.dump(out, sys.stdout, ensure_ascii=False, indent='\t')
    sys.stdout.write('\n')


main()
