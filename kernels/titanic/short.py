KERNEL = {"competition": "titanic", "title": "One row short", "techniques": ["baseline"]}


def fit_predict(train, test, params):
    return (test["Sex"] == "female").astype(int).iloc[1:]


if __name__ == "__main__":
    from harness.kernels import main

    main(__file__)
