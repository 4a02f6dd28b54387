from tests.logicmodels.conftest import chain, model  # noqa: F401
