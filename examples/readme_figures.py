#!/usr/bin/env python3
"""Checks the README's figures for the long examples against a fresh run of each.

The small examples' figures are checked by ReadmeFiguresTest in `mvn verify`; the long ones (minutes
each, some needing Fashion-MNIST or Spark) by this script, run before a release. It runs each
example with the README's own command (mvn ... exec:exec -Dexample=NAME), finds each figure in the
output and in README.md, and reports those that differ: a README figure matches when it is the
printed value rounded to the README's decimals.

Run from the repository root:  python3 examples/readme_figures.py [EXAMPLE ...]
(no arguments: every example below). Exit status 1 when a figure differs or cannot be found.
"""
import re
import subprocess
import sys
from pathlib import Path

NUMBER = r"(\d+\.\d+)"

# example -> [(figure, pattern in the example's output, pattern in README.md)], group 1 the number
CHECKS = {
    "FashionMnistMlp": [
        ("test accuracy", r"test accuracy " + NUMBER + " after", r"`FashionMnistMlp` \|[^|]*?: " + NUMBER + " test accuracy")],
    "FashionMnistCnn": [
        ("test accuracy", r"test accuracy " + NUMBER + " after", r"`FashionMnistCnn` \|[^|]*?: " + NUMBER + " test accuracy")],
    "LrFinderFashionMnist": [
        ("suggested rate", r"suggested lr \(steepest descent\) " + NUMBER, r"suggested rate \(" + NUMBER + " here"),
        ("test accuracy", r"test accuracy " + NUMBER + " after", r"suggested rate \([^)]*?: " + NUMBER + " test accuracy")],
    "TransferLearningFashionMnist": [
        ("from scratch", r"from scratch\s+" + NUMBER, r"from scratch " + NUMBER),
        ("feature extraction", r"feature extraction \(frozen body\)\s+" + NUMBER,
         r"feature extraction \(frozen body\) " + NUMBER),
        ("fine-tuning", r"fine-tuning \(body at lr/10\)\s+" + NUMBER, r"fine-tuning \(body at lr/10\) " + NUMBER)],
    "CharLanguageModel": [
        ("validation bits per character", r"validation: " + NUMBER + " bits per character",
         r"language model .*?: " + NUMBER + " bits per character on validation"),
        ("unigram baseline", r"unigram baseline \(training character entropy\) " + NUMBER,
         r"language model .*?against " + NUMBER + " for the unigram baseline")],
    "CharTransformer": [
        ("validation bits per character", r"validation: " + NUMBER + " bits per character",
         r"`CharTransformer` \|.*?: " + NUMBER + " bits per character on validation")],
    "LineSourceClassifier": [
        ("test accuracy", r"test accuracy " + NUMBER + ";", r"early stopping: " + NUMBER + " test accuracy"),
        ("majority class", r"majority-class baseline " + NUMBER, r"test accuracy against " + NUMBER + " for the majority")],
    "FashionMnistDataParallel": [
        ("test accuracy", r"test accuracy " + NUMBER + " after", r"batches of 32 per rank\): " + NUMBER + " test accuracy")],
    "FashionMnistSpark": [
        ("test accuracy", r"test accuracy " + NUMBER + " after", r"`SparkDistributor`\): " + NUMBER)],
}


def decimals(number):
    return len(number.split(".")[1]) if "." in number else 0


def matches(stated, printed):
    """Whether the README's figure is the printed one rounded to the README's decimals."""
    d, p = decimals(stated), decimals(printed)
    tolerance = 0.5 * 10 ** -d + (0.5 * 10 ** -p if p > d else 0) + 1e-12
    return abs(float(stated) - float(printed)) <= tolerance


def run(example):
    command = ["mvn", "-B", "-q", "-DskipTests", "-pl", "examples", "-am", "package", "exec:exec",
               "-Dexample=" + example]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(example + " failed (exit " + str(done.returncode) + "):\n" + done.stdout[-2000:]
                           + done.stderr[-2000:])
    return done.stdout


def main(names):
    readme = Path("README.md").read_text(encoding="utf-8")
    problems = []
    for example in names or CHECKS:
        output = run(example)
        for figure, printed_pattern, readme_pattern in CHECKS[example]:
            printed = re.search(printed_pattern, output)
            stated = re.search(readme_pattern, readme)
            if not printed or not stated:
                problems.append("%s, %s: not found in %s" % (example, figure, "the output" if not printed else "README.md"))
                continue
            verdict = "ok" if matches(stated.group(1), printed.group(1)) else "DIFFERS"
            print("%-30s %-30s README %-8s printed %-8s %s" % (example, figure, stated.group(1), printed.group(1),
                                                              verdict), flush=True)
            if verdict != "ok":
                problems.append("%s, %s: README says %s, the run printed %s" % (example, figure, stated.group(1),
                                                                               printed.group(1)))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
