"""Reference stems for test/unit/metrics/porterStemmer.test.ts, from NLTK 3.8's PorterStemmer
(Debian's python3-nltk) in its three modes:

    /usr/bin/python3 test/unit/metrics/reference/porter.py > test/unit/metrics/fixtures/porter.json

The word list: the examples of Porter's 1980 paper for each rule, NLTK's irregular forms and
extensions, odd inputs (case, digits, non-English and astral characters), and a deterministic
sample of the words in NLTK's own source files. Not run by the tests.
"""
import glob
import hashlib
import json
import re
import sys

from nltk.stem.porter import PorterStemmer

PAPER_EXAMPLES = '''
caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized
hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational
valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization
predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti
sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival allowance
inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent
adoption homologou communism activate angulariti homologous effective bowdlerize probate rate
cease controll roll generalizations oscillators tree trouble troubles troubling
'''.split()

NLTK_EXTENSION_EXAMPLES = '''
sky skies dying lying tying news innings inning outings outing cannings canning howe proceed exceed
succeed died cried spied lied flies fully generously lovingly possibly probably analogies analogy
theology etymologi is as us a by be on I ok ab abs ied ies eed ing ed ying yy yyy y sayings
playfulness helpfully generalli beautifulli
'''.split()

ODD_WORDS = [
    'Running', 'CARESSES', 'McDonalds', 'iPhone', '1990s', 'covid19', 'x86', '3d', 'mp3s',
    'café', 'cafés', 'naïve', 'naïvely', 'Ärgerlich', 'straßen', 'ΣΊΣΥΦΟΣ', 'İstanbul', 'résumés',
    'a*ded', 'flo*d', 'hello-world', "don't",
    '𝒜bcs', '𝒜𝒜ing', '𐐀ing', 'bee😀😀ed', '😀ies', '😀', 'x😀y😀zing',
]


def source_words():
    words = set()
    for path in sorted(glob.glob('/usr/lib/python3/dist-packages/nltk/**/*.py', recursive=True)):
        with open(path, encoding='utf-8', errors='ignore') as handle:
            words.update(re.findall(r'\b[a-z]{3,}\b', handle.read()))
    # A fixed sample of about 1 in 20, chosen by hash so that it does not depend on set order.
    return sorted(word for word in words if int(hashlib.sha1(word.encode()).hexdigest(), 16) % 20 == 0)


def main():
    words = []
    for word in PAPER_EXAMPLES + NLTK_EXTENSION_EXAMPLES + ODD_WORDS + source_words():
        if word not in words:
            words.append(word)
    stemmers = {mode: PorterStemmer(mode) for mode in ('ORIGINAL_ALGORITHM', 'MARTIN_EXTENSIONS', 'NLTK_EXTENSIONS')}
    rows = [[word] + [stemmers[mode].stem(word) for mode in stemmers] for word in words]
    lines = ['{', '\t"modes": %s,' % json.dumps(list(stemmers)), '\t"words": [']
    lines.append(',\n'.join('\t\t' + json.dumps(row, ensure_ascii=False) for row in rows))
    lines.append('\t]')
    lines.append('}')
    sys.stdout.write('\n'.join(lines) + '\n')


main()
