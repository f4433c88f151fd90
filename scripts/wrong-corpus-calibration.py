#!/usr/bin/env python3
"""How well the wrong-corpus warning separates, on the built-in models (README, "The
wrong-corpus warning"). Embeds every corpus prompt, the unrelated bank and test prompts with
`pae-cli embed`, then counts the mistakes of the rule in core/pae/targets.cpp for several
ratios: a prompt belongs to corpus C when (1 - cos to its nearest C prompt) <= RATIO *
(1 - cos to its nearest unrelated prompt) and no other corpus holds a nearer prompt.
Unrelated prompts are judged leave-one-out (the prompt itself left out of the bank), so
the count says how the bank does on prompts it does not hold. Also prints, for contrast,
the subspace norm ||B t|| (PCA k=10) that the warning used before.

usage: scripts/wrong-corpus-calibration.py [build/app/pae-cli]   (needs python3-numpy)
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLI = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "app", "pae-cli")


def corpus(path):
    template, prompts = "{}", []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r"#\s*template:\s*(.*)", line)
        if m:
            template = m.group(1).strip()
        elif line.strip() and not line.startswith("#"):
            prompts.append(template.replace("{}", line.strip()))
    return prompts


folder = os.path.join(ROOT, "prompts", "synthface")
corpora = {f[:-4]: corpus(os.path.join(folder, f)) for f in sorted(os.listdir(folder)) if f.endswith(".txt")}
bank = corpus(os.path.join(ROOT, "prompts", "null", "unrelated.txt"))
own = {
    "emotion": ["a happy face", "a sad face", "an angry face", "a surprised face", "a smiling face", "a frowning face",
                "a very happy face", "a person who looks sad", "a laughing person"],
    "hairstyle": ["a person with long hair", "a person with curly hair", "a bald person", "a man with long hair",
                  "a woman with curly hair", "a bald man", "long hair"],
    "hair-colour": ["a person with blonde hair", "a person with black hair", "a woman with blonde hair", "blonde hair",
                    "a man with red hair"],
    "eyes": ["a face with big eyes", "a face with small eyes", "a person with big eyes", "big eyes"],
    "mouth": ["a face with a wide mouth", "a face with a narrow mouth", "a person with a wide mouth", "a wide mouth"],
    "glasses": ["a person wearing glasses", "a man wearing glasses", "a woman with glasses", "glasses"],
    "beard": ["a man with a beard", "a person with a beard", "a bearded man", "beard"],
}
held_out = ["a green truck on a road", "xxxx yyyy", "a bowl of soup", "the train is late again", "wxyz"]
texts = sorted(set(sum(corpora.values(), []) + bank + sum(own.values(), []) + held_out))
out = subprocess.run([CLI, "embed"] + sum([["--text", t] for t in texts], []), capture_output=True, text=True,
                     check=True)
vectors = {t: np.array(json.loads(line), dtype=np.float64) for t, line in zip(texts, out.stdout.strip().split("\n"))}
unit = {t: v / np.linalg.norm(v) for t, v in vectors.items()}
matrix = {name: np.array([unit[p] for p in ps]) for name, ps in corpora.items()}
null = np.array([unit[p] for p in bank])
same_domain = {"emotion", "emotion-basic"}


def warns(text, name, ratio, bank_rows=None):
    u = unit[text]
    d_corpus = 1 - (matrix[name] @ u).max()
    d_null = 1 - ((null if bank_rows is None else null[bank_rows]) @ u).max()
    closer = any((matrix[o] @ u).max() > 1 - d_corpus + 1e-3 for o in matrix if o != name)
    return closer or d_corpus > ratio * d_null


for ratio in (0.5, 0.6, 0.7, 0.8, 0.9):
    mistakes = {"own silent→warns": [], "other corpus not warned": [], "held-out unrelated not warned": [],
                "bank prompt (left out) not warned": []}
    for name in corpora:
        for text in own.get(name, []) + (own["emotion"] if name == "emotion-basic" else []):
            if warns(text, name, ratio):
                mistakes["own silent→warns"].append((name, text))
        for other, texts_ in own.items():
            if other == name or {other, name} <= same_domain:
                continue
            for text in texts_:
                if not warns(text, name, ratio):
                    mistakes["other corpus not warned"].append((name, text))
        for text in held_out:
            if not warns(text, name, ratio):
                mistakes["held-out unrelated not warned"].append((name, text))
        for i, text in enumerate(bank):
            rows = np.ones(len(bank), bool)
            rows[i] = False
            if not warns(text, name, ratio, rows):
                mistakes["bank prompt (left out) not warned"].append((name, text))
    print(f"ratio {ratio}: " + ", ".join(f"{k}: {len(v)}" for k, v in mistakes.items()))
    if ratio == 0.7:
        for kind, items in mistakes.items():
            for name, text in items:
                print(f"    {kind}: '{text}' in {name}")

print("\n||B t|| (PCA k=10, the paper's standardized basis) cannot tell them apart:")
for name in ("hairstyle", "emotion"):
    m = matrix[name]
    z = (m - m.mean(0)) / np.where(m.std(0) < 1e-12, 1, m.std(0))
    basis = np.linalg.svd(z, full_matrices=False)[2][:10]
    norm = lambda t: np.linalg.norm(basis @ unit[t])
    owns = [norm(t) for t in own[name]]
    print(f"  {name}: own prompts {min(owns):.2f}–{max(owns):.2f}; unrelated bank up to {max(norm(t) for t in bank):.2f};"
          f" 'a red sports car' {norm('a red sports car'):.2f}, 'zzzz' {norm('zzzz'):.2f}")
