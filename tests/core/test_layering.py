"""How the features depend on each other, read from the source: a broken rule names the file and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lms

PACKAGE = Path(lms.__file__).parent
FEATURES = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name not in {"core", "jobs"})

# Names that belong to a request; code that is not a view, form or request plumbing must not use them.
REQUEST_NAMES = {
    "flask": {"request", "g", "session", "url_for"},
    "flask_login": {"current_user"},
    "lms.i18n": {"current_language", "ui_language", "fall_back_to"},
}
# Modules that sit on the request by design.
REQUEST_MODULES = {"views.py", "forms.py", "__init__.py"}


def _imports(path: Path) -> list[tuple[str, set[str]]]:
    found: list[tuple[str, set[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, {a.name for a in node.names}))
        elif isinstance(node, ast.Import):
            found.extend((a.name, set()) for a in node.names)
    return found


def _feature_modules() -> list[Path]:
    return sorted(p for feature in FEATURES for p in (PACKAGE / feature).glob("*.py"))


def _imported_views(module: str, names: set[str]) -> set[str]:
    targets = {module} | {f"{module}.{n}" for n in names}
    return {t for t in targets if t.startswith("lms.") and t.endswith(".views")}


@pytest.mark.parametrize("path", _feature_modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_a_feature_itself_loads_its_views(path: Path):
    own = f"lms.{path.parent.name}.views"
    for module, names in _imports(path):
        for views in _imported_views(module, names):
            assert path.name == "__init__.py" and views == own, f"{path} imports {views}"


@pytest.mark.parametrize("path", _feature_modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_services_and_commands_never_read_the_request(path: Path):
    if path.name in REQUEST_MODULES:
        return
    for module, names in _imports(path):
        used = names & REQUEST_NAMES.get(module, set())
        assert not used, f"{path} uses {sorted(used)} from {module}"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*/views.py")), ids=lambda p: p.parent.name)
def test_views_leave_mail_to_the_notification_functions(path: Path):
    for module, names in _imports(path):
        assert module != "lms.mail" and not (module == "lms" and "mail" in names), f"{path} sends mail itself"


@pytest.mark.parametrize("folder", ["core", "jobs", "mail"])
def test_shared_layers_import_no_feature(folder: str):
    """Shared code serves every feature and knows none of them; the languages (``lms.i18n``) are shared by all."""
    root = PACKAGE / folder
    paths = sorted(root.glob("*.py")) if root.is_dir() else [PACKAGE / f"{folder}.py"]
    for path in paths:
        for module, _names in _imports(path):
            feature = module.split(".")[1] if module.startswith("lms.") else None
            assert feature in {None, "i18n"} or feature not in FEATURES, f"{path} imports {module}"
