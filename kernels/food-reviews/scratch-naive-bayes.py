# %% [markdown]
# # Multinomial naive Bayes from scratch (NumPy, bag of words)
#
# Is a review a five-star one? Naive Bayes imagines each class writing its reviews by drawing words
# from a bag of its own: the "great" bag holds more *delicious* and *love*, the "other" bag more
# *disappointed* and *stale*. Reading a review, it asks which bag more likely produced those words.
#
# **The model.** A class $c$ has a prior $\pi_c$ and word probabilities $\theta_{c,1..V}$ over a
# vocabulary of $V$ words. A review with word counts $x_1..x_V$ then has
#
# $$\log P(c \mid x) = \log \pi_c + \sum_v x_v \log \theta_{c,v} + \text{const},$$
#
# a linear function of the counts: naive Bayes is a linear classifier whose weights are counted, not
# optimised. The "naive" part: words are assumed independent given the class, so their evidence adds.
#
# **Fitting is counting.** With $N_{c,v}$ the number of times word $v$ occurs in the training reviews
# of class $c$, and add-$\alpha$ (Laplace/Lidstone) smoothing so an unseen word does not zero a class:
#
# $$\hat\theta_{c,v} = \frac{N_{c,v} + \alpha}{\sum_{v'} N_{c,v'} + \alpha V}, \qquad
#   \hat\pi_c = \frac{n_c}{n}.$$
#
# The posterior is a softmax of the log scores, computed with the log-sum-exp trick so that sums of
# hundreds of log probabilities do not underflow.
#
# **Cost.** One pass over the tokens to fit, one to predict: $O(\text{tokens})$; nothing iterates.
#
# **What breaks it.** The independence assumption: "not good" is two pieces of evidence, and a word
# repeated ten times counts ten times. The classifier's *ranking* survives this well; its
# *probabilities* do not: evidence is over-counted, so they crowd near 0 and 1. This competition is
# scored by log loss, which punishes confident mistakes, so we soften the posterior with a temperature
# $T$ (divide the log-odds by $T > 1$), a one-parameter calibration fitted on out-of-fold scores of
# the training reviews (below). On this competition's folds $T = 1$ scores a log loss of 0.878, worse
# than predicting the base rate (0.644); the fitted $T$, close to 4, brings it to 0.502, as a fixed
# $T = 4$ does (paired, positive when the variant is better; `compete theory comparing-models`):
#
# | variant | CV | folds | gain | t | p | won | verdict |
# |---|---|---|---|---|---|---|---|
# | **this kernel (T fitted)** | **0.5022** | 0.514 0.504 0.482 0.501 0.511 | | | | | |
# | the baseline | 0.6444 | 0.632 0.643 0.668 0.647 0.632 | −0.1421 | −11.61 | 3e-04 | 0/5 | worse |
# | `temperature=1` | 0.8784 | 0.923 0.858 0.833 0.869 0.908 | −0.3762 | −32.63 | 5e-06 | 0/5 | worse |
# | `temperature=4` | 0.5023 | 0.514 0.504 0.482 0.500 0.512 | −0.0001 | −0.84 | 0.45 | 1/5 | noise |
#
# Made with `compete compare food-reviews/scratch-naive-bayes food-reviews/baseline
# food-reviews/scratch-naive-bayes@temperature=1 food-reviews/scratch-naive-bayes@temperature=4`.
#
# **Tokens.** No library: lower-case the text, drop the HTML line breaks (`<br />`) the reviews
# carry, and take runs of letters, digits and apostrophes as words (`[a-z0-9']+`). Words seen in fewer
# than `min_df` training reviews are dropped (they are mostly noise and typos).

# %% [markdown]
# ## Theory notes and the metric
#
# Theory notes (`compete theory NAME`): `compete theory naive-bayes`, `compete theory text-features`,
# `compete theory calibration` (the temperature), `compete theory log-loss`, `compete theory from-scratch`.
#
# **The metric**: log loss,
# $$\text{log\_loss} = -\frac{1}{n}\sum_i \big(y_i \log \hat p_i + (1 - y_i)\log(1 - \hat p_i)\big).$$

# %%
import re

import numpy as np
import pandas as pd

KERNEL = {
    "competition": "food-reviews",
    "title": "Multinomial naive Bayes from scratch (NumPy bag of words, temperature-calibrated)",
    "techniques": ["from-scratch", "naive-bayes", "text-features", "calibration"],
    "reference": True,
}
PARAMS = {"alpha": 2.0, "min_df": 3, "temperature": "auto", "calibration_folds": 5}


def search_space(trial) -> dict:
    return {
        "alpha": trial.suggest_float("alpha", 0.01, 5.0, log=True),
        "min_df": trial.suggest_int("min_df", 1, 10),
        "temperature": "auto",
        "calibration_folds": 5,
    }


# %% [markdown]
# ## From text to (document, word) pairs
#
# A bag of words is usually a sparse document-by-word matrix. We keep its non-zero entries as two
# parallel arrays instead, one entry per token: `docs[i]` is the review the i-th token came from and
# `words[i]` its vocabulary index. Counting is then `np.bincount`, and nothing of size
# reviews x vocabulary is ever built.

# %%
TOKEN = re.compile(r"[a-z0-9']+")
HTML_TAG = re.compile(r"<[^>]+>")


def tokenize(text: str) -> list[str]:
    """Lower-cased runs of letters, digits and apostrophes, HTML tags removed."""
    return TOKEN.findall(HTML_TAG.sub(" ", text.lower()))


def build_vocabulary(documents: list[list[str]], min_df: int = 1) -> dict[str, int]:
    """Word -> index for the words found in at least `min_df` documents, in sorted order."""
    document_frequency: dict[str, int] = {}
    for tokens in documents:
        for word in set(tokens):
            document_frequency[word] = document_frequency.get(word, 0) + 1
    kept = sorted(word for word, df in document_frequency.items() if df >= min_df)
    return {word: index for index, word in enumerate(kept)}


def encode(documents: list[list[str]], vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(docs, words): one entry per in-vocabulary token; words outside the vocabulary are dropped."""
    docs, words = [], []
    for d, tokens in enumerate(documents):
        for word in tokens:
            index = vocabulary.get(word)
            if index is not None:
                docs.append(d)
                words.append(index)
    return np.asarray(docs, dtype=np.int64), np.asarray(words, dtype=np.int64)


def count_matrix(docs: np.ndarray, words: np.ndarray, n_docs: int, n_words: int) -> np.ndarray:
    """The dense document-by-word count matrix (small data and tests only)."""
    flat = np.bincount(docs * n_words + words, minlength=n_docs * n_words)
    return flat.reshape(n_docs, n_words).astype(float)


# %% [markdown]
# ## Fitting: count words per class; predicting: add up log probabilities


# %%
def fit_multinomial_nb(
    docs: np.ndarray, words: np.ndarray, labels: np.ndarray, n_classes: int, n_words: int, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """(log_prior (K,), log_theta (K, V)) from the tokens and the class code 0..K-1 of each document.

    log theta[c, v] = log(N[c, v] + alpha) - log(sum_v' N[c, v'] + alpha V).
    """
    class_of_token = labels[docs]
    N = np.bincount(class_of_token * n_words + words, minlength=n_classes * n_words)
    N = N.reshape(n_classes, n_words).astype(float)
    log_theta = np.log(N + alpha) - np.log(N.sum(axis=1, keepdims=True) + alpha * n_words)
    log_prior = np.log(np.bincount(labels, minlength=n_classes) / len(labels))
    return log_prior, log_theta


def joint_log_likelihood(
    docs: np.ndarray, words: np.ndarray, n_docs: int, log_prior: np.ndarray, log_theta: np.ndarray
) -> np.ndarray:
    """(n_docs, K): log pi_c + sum over a document's tokens of log theta[c, word]."""
    scores = [np.bincount(docs, weights=log_theta[c, words], minlength=n_docs) for c in range(len(log_prior))]
    return log_prior[None, :] + np.stack(scores, axis=1)


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """exp(s_c / T) / sum_c' exp(s_c' / T), shifted by the row maximum (log-sum-exp) so that nothing
    underflows: raw scores of long reviews are in the hundreds below zero."""
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# %% [markdown]
# ## Calibrating the temperature on out-of-fold scores
#
# The temperature must be chosen on reviews the model has not counted: on its own training reviews
# naive Bayes is even more confident than on new ones, so $T$ would come out too small. So we split the
# training reviews by product into `calibration_folds` parts, score each part with a model counted on
# the others, and keep the $T$ that minimises the log loss of those out-of-fold scores. Grouping by
# product mirrors how the competition holds out whole products. $T$ is a single number, so a grid of
# values between 1 and 30 is enough; no gradient needed.


# %%
def class_scores(
    fit_tokens: list[list[str]],
    labels: np.ndarray,
    query_tokens: list[list[str]],
    n_classes: int,
    params: dict,
) -> np.ndarray:
    """(n_query, K) joint log likelihoods of the query reviews under a model counted on `fit_tokens`."""
    vocabulary = build_vocabulary(fit_tokens, int(params["min_df"]))
    docs, words = encode(fit_tokens, vocabulary)
    log_prior, log_theta = fit_multinomial_nb(
        docs, words, labels, n_classes, len(vocabulary), float(params["alpha"])
    )
    query_docs, query_words = encode(query_tokens, vocabulary)
    return joint_log_likelihood(query_docs, query_words, len(query_tokens), log_prior, log_theta)


def log_loss(labels: np.ndarray, proba: np.ndarray) -> float:
    """Mean of -log p(true class), with p clipped away from 0."""
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(labels)), labels], 1e-15, 1.0))))


def fit_temperature(
    tokens: list[list[str]], labels: np.ndarray, groups: np.ndarray, n_classes: int, params: dict
) -> float:
    """The temperature minimising the log loss of out-of-fold scores, folds made of whole groups."""
    k = int(params.get("calibration_folds", 5))
    products, group_index = np.unique(groups, return_inverse=True)
    fold = np.random.default_rng(0).permutation(len(products))[group_index] % k
    scores = np.zeros((len(tokens), n_classes))
    for f in range(k):
        held, kept = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        if len(held) and len(kept):
            scores[held] = class_scores(
                [tokens[i] for i in kept], labels[kept], [tokens[i] for i in held], n_classes, params
            )
    grid = np.geomspace(1.0, 30.0, 61)
    losses = [log_loss(labels, softmax(scores, t)) for t in grid]
    return float(grid[int(np.argmin(losses))])


# %% [markdown]
# ## The kernel
#
# The review text is the only feature; the product id is what the folds group by (whole products are
# held out, so a model cannot win by memorising the product a review is about), used here only to
# make the calibration folds the same way. `temperature` is "auto" (fitted as above) or a number.

# %%
TEXT = "review"
GROUP = "product"
TARGET = "score"
CLASSES = ["other", "great"]  # the card's order; the positive class is the last


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, params: dict) -> np.ndarray:
    """P(great) for each review of `test`."""
    params = {**PARAMS, **params}
    train_tokens = [tokenize(text) for text in train[TEXT].astype(str)]
    test_tokens = [tokenize(text) for text in test[TEXT].astype(str)]
    labels = np.asarray(pd.Categorical(train[TARGET], categories=CLASSES).codes, dtype=np.int64)

    temperature = params["temperature"]
    if temperature == "auto":
        groups = train[GROUP].astype(str).to_numpy() if GROUP in train else np.arange(len(train))
        temperature = fit_temperature(train_tokens, labels, groups, len(CLASSES), params)
    scores = class_scores(train_tokens, labels, test_tokens, len(CLASSES), params)
    return softmax(scores, float(temperature))[:, 1]


# %% [markdown]
# ## Checked against scikit-learn
#
# `tests/test_scratch.py` builds the count matrix from our tokens and fits `MultinomialNB(alpha)` on
# it: the word log probabilities agree to 1e-12 and the class probabilities to 1e-9 (observed ~1e-15).
# `tests/test_scratch_cv.py` does the same on this competition's folds, with the same fitted
# temperature: log loss 0.5022 for both.


# %%
if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
