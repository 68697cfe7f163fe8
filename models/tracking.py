"""MLflow access: the embedded store, experiments, model logging, registry and aliases.

The embedded default is a SQLite tracking store and registry at ``<home>/mlflow.db`` with
artifacts under ``<home>/mlartifacts`` (absolute paths); ``MLFLOW_TRACKING_URI`` overrides it,
e.g. for a team server. The registry is the trust boundary: bundles are pickles, so models are
only loaded from the configured registry.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from features.errors import RegistryError
from models.bundle import ModelBundle

STORE_FILE = "mlflow.db"
ARTIFACTS_FOLDER = "mlartifacts"
LOCK_FILE = ".mlflow.lock"
CHALLENGER = "challenger"
CHAMPION = "champion"
DEFAULT_MODEL_NAME = "diversion-detector"
DEFAULT_EXPERIMENT = "diversion-detector"
URI_VARIABLE = "MLFLOW_TRACKING_URI"
RUNTIME_PACKAGES = (
    "mlflow", "scikit-learn", "pandas", "numpy", "pyarrow", "joblib", "rapidfuzz", "pycountry",
    "unidecode", "scipy",
)  # fmt: skip


@dataclass(frozen=True)
class Store:
    """Where runs and models go: a tracking URI and, for the embedded store, its folder."""

    uri: str
    artifacts: Path | None

    @property
    def client(self) -> MlflowClient:
        return MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)


def open_store(home: Path) -> Store:
    """The configured store, creating the embedded one once (under a lock: several processes
    creating a fresh SQLite store at once race) and pointing ``mlflow`` at it.

    ``mlflow.set_tracking_uri`` also exports ``MLFLOW_TRACKING_URI``; for the embedded store
    that export is undone, or the next ``open_store`` in this process, and every ``divert``
    started from it, would take it for a configured server and ignore their own home.
    """
    configured = os.environ.get(URI_VARIABLE)
    if configured:
        store = Store(uri=configured, artifacts=None)
    else:
        home.mkdir(parents=True, exist_ok=True)
        store = Store(
            uri=f"sqlite:///{(home / STORE_FILE).resolve()}",
            artifacts=(home / ARTIFACTS_FOLDER).resolve(),
        )
        with (home / LOCK_FILE).open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            store.client.search_experiments(max_results=1)
    mlflow.set_tracking_uri(store.uri)
    mlflow.set_registry_uri(store.uri)
    if not configured:
        os.environ.pop(URI_VARIABLE, None)
    return store


def experiment_id(store: Store, name: str) -> str:
    """The id of experiment ``name``, created (with artifacts beside the store) if new."""
    client = store.client
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    location = (store.artifacts / name).as_uri() if store.artifacts else None
    return client.create_experiment(name, artifact_location=location)


def pip_requirements() -> list[str]:
    """The packages a loaded model needs, pinned to the versions that trained it."""
    pins = [f"{name}=={metadata.version(name)}" for name in RUNTIME_PACKAGES]
    return [f"diversion-detector=={metadata.version('diversion-detector')}", *pins]


def code_version() -> str:
    return metadata.version("diversion-detector")


def set_alias(store: Store, name: str, alias: str, version: str) -> None:
    store.client.set_registered_model_alias(name, alias, version)


def alias_version(store: Store, name: str, alias: str) -> str | None:
    """The version that carries ``alias``, or None (also when the model does not exist)."""
    try:
        return str(store.client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def load_registered_bundle(uri: str) -> ModelBundle:
    """The bundle behind a ``models:/`` URI (alias or version), its contract checked."""
    parse_model_uri(uri)
    try:
        model = mlflow.pyfunc.load_model(uri)
    except MlflowException as error:
        raise RegistryError(f"cannot load model {uri!r}: {error.message}") from error
    return model.unwrap_python_model().bundle


@dataclass(frozen=True)
class ModelVersionInfo:
    name: str
    version: str
    uri: str
    tags: dict[str, str]
    model_id: str | None = None
    """The version's logged model (MLflow 3), where the pyfunc reads a recorded threshold."""


URI_FORMS = "models:/<name>@<alias> or models:/<name>/<version>"


def parse_model_uri(uri: str) -> tuple[str, str | None, str | None]:
    """``(name, alias, version)`` of ``models:/<name>@<alias>`` or ``models:/<name>/<version>``
    (one of alias and version is None); ``RegistryError`` saying which forms work otherwise."""
    if not uri.startswith("models:/"):
        raise RegistryError(
            f"model URI {uri!r} is not a registry URI; use {URI_FORMS} "
            "(only registered models are loaded)"
        )
    path = uri.removeprefix("models:/")
    name, alias, version = path, None, None
    if "@" in path:
        name, alias = path.split("@", 1)
    elif "/" in path:
        name, version = path.rsplit("/", 1)
    if not name or not (alias or version):
        raise RegistryError(f"model URI {uri!r} names no alias or version; use {URI_FORMS}")
    if version is not None and not version.isdigit():
        raise RegistryError(
            f"model URI {uri!r}: version {version!r} is not a number; use {URI_FORMS}"
        )
    return name, alias, version


def resolve_model(store: Store, uri: str) -> ModelVersionInfo:
    """Name, version and tags behind ``models:/<name>@<alias>`` or ``models:/<name>/<version>``."""
    name, alias, version = parse_model_uri(uri)
    try:
        if alias is not None:
            found = store.client.get_model_version_by_alias(name, alias)
        else:
            found = store.client.get_model_version(name, version)
    except MlflowException as error:
        if not store.client.search_registered_models(max_results=1):
            raise RegistryError(
                f"no model version at {uri!r}: no model is registered in {store.uri} yet; "
                "train one with `divert train --data FILE --promote`, or run `divert demo`"
            ) from error
        message = f"no model version at {uri!r} in {store.uri}: {error.message}"
        raise RegistryError(message) from error
    return ModelVersionInfo(
        name=found.name,
        version=str(found.version),
        uri=f"models:/{found.name}/{found.version}",
        tags=dict(found.tags),
        model_id=found.model_id or _logged_model_id(found.source),
    )


def _logged_model_id(source: str) -> str | None:
    """The logged model a version's ``source`` names (``models:/m-...``; the SQL registry
    leaves ``model_id`` empty), or None for a version registered from elsewhere."""
    name = source.removeprefix("models:/")
    return name if name != source and name.startswith("m-") and "/" not in name else None
