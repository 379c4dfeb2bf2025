"""Apps depend downward only, in the order of hms/layers.py (LAYERS): read from the source with ``ast``, so the
order stays true as code is added.

Every module of every app is read (app code, its tests/ and migrations, the top-level tests/ package and the
root conftest.py), and every import counts: at the top or inside a function, ``importlib.import_module("x")``,
``import_string("x")``, ``apps.get_model("app", ...)`` / ``get_app_config("app")`` and string patches
(``mock.patch("app.x")``, ``monkeypatch.setattr("app.x", ...)``), which import the module they name. An import of
a sibling on the same line or of a higher line fails, naming file:line and both apps. Every model relation
(ForeignKey, OneToOneField, ManyToManyField, read from Django's app registry) must point to its own app or a
lower line too, so the layering holds for the data as well as for the code.
"""

import ast
import functools
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings

from hms.layers import LAYERS, LINE_OF, may_depend_on, order_text

ROOT = Path(settings.BASE_DIR)
DYNAMIC_IMPORTS = {"import_module", "import_string", "__import__"}
APP_LOOKUPS = {"get_model", "get_app_config"}
STRING_PATCHES = {"patch", "setattr", "delattr"}

def _call_name(func):
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _first_string(node):
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def imported_names(tree):
    """(line, dotted name) of everything a module imports, wherever the import is written."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:  # relative imports stay inside the app
                yield node.lineno, node.module
        elif isinstance(node, ast.Call):
            name, text = _call_name(node.func), _first_string(node)
            if text is None:
                continue
            if name in DYNAMIC_IMPORTS or (name in APP_LOOKUPS) or (name in STRING_PATCHES and "." in text):
                yield node.lineno, text


def _line_name(line):
    return " / ".join(LAYERS[line])


def import_violations(app, path, source):
    """The imports of one module (of ``app``, at ``path``) against the order, as messages; and how many imports
    of another layered app it makes."""
    messages, crossings = [], 0
    for lineno, name in imported_names(ast.parse(source, filename=str(path))):
        other = name.split(".")[0]
        if other == app or other not in LINE_OF:
            continue
        crossings += 1
        if not may_depend_on(app, other):
            higher = f"a higher line ({_line_name(LINE_OF[other])})"
            where = "its own line" if LINE_OF[other] == LINE_OF[app] else higher
            messages.append(
                f"{path}:{lineno}: {app} imports {name}: {other} is on {where}, and {app} "
                f"({_line_name(LINE_OF[app])}) may import only from lower lines. Move the code down, or send a "
                "signal / call a hook registry the lower app defines (hms/layers.py)."
            )
    return messages, crossings


def scanned_apps():
    """The layered apps present here: installed apps with a folder, and the top-level tests/ package."""
    return [
        app
        for apps_on_line in LAYERS
        for app in apps_on_line
        if (ROOT / app).is_dir() and (app == "tests" or django_apps.is_installed(app))
    ]


def modules():
    """(app, path relative to the repository, source) of every Python file the order applies to."""
    for app in scanned_apps():
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path.relative_to(ROOT).as_posix(), path.read_text()
    conftest = ROOT / "conftest.py"
    if conftest.exists():
        yield "tests", "conftest.py", conftest.read_text()


@functools.cache
def scan():
    by_file, crossings, files = {}, 0, {}
    for app, path, source in modules():
        files[app] = files.get(app, 0) + 1
        messages, count = import_violations(app, path, source)
        crossings += count
        if messages:
            by_file[path] = messages
    return by_file, crossings, files


def model_relations():
    """(model label, field name, related model label) of every forward relation of every installed model."""
    for model in django_apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if field.auto_created or not (field.many_to_one or field.one_to_one or field.many_to_many):
                continue  # reverse relations and parent links are the other side's fields
            if field.related_model is None:
                continue  # a GenericForeignKey points at no one model
            yield model._meta.label, field.name, field.related_model._meta.label


def _app_name(model_label):
    """'catalog.Item' -> 'catalog': the name LAYERS lists (of the app config with that label)."""
    label = model_label.split(".")[0]
    try:
        return django_apps.get_app_config(label).name
    except LookupError:
        return label


def relation_violations(relations):
    messages = []
    for label, field, target in relations:
        app, other = _app_name(label), _app_name(target)
        if not may_depend_on(app, other):
            messages.append(
                f"{label}.{field} points to {target}: {other} is not on a lower line than {app} (hms/layers.py). "
                "Move the model to the app that owns it, or point the relation the other way."
            )
    return messages


# --- the order holds ---------------------------------------------------------------------------------------


def test_no_app_imports_a_sibling_on_its_line_or_a_higher_line():
    by_file, _, _ = scan()
    found = [message for path, messages in sorted(by_file.items()) for message in messages]
    assert not found, "Imports against the dependency order:\n" + "\n".join(found)


def test_every_model_relation_points_to_its_own_app_or_a_lower_line():
    found = relation_violations(model_relations())
    assert not found, "Model relations against the dependency order:\n" + "\n".join(found)


def test_every_project_app_has_a_line_in_the_order():
    ours = [config.name for config in django_apps.get_app_configs() if Path(config.path).parent == ROOT]
    assert ours and not [name for name in ours if name not in LINE_OF], "Add every app to hms/layers.py LAYERS."


def test_the_readme_states_the_order():
    assert order_text() in (ROOT / "README.md").read_text()


# --- and the checks are not vacuous ------------------------------------------------------------------------


def test_the_walk_reads_every_app_and_sees_their_imports_of_each_other():
    _, crossings, files = scan()
    for app in ["hms", "staff", "patients", "catalog", "scheduling", "clinical", "inventory", "billing"]:
        assert files.get(app, 0) >= 3, f"{app}: {files.get(app, 0)} modules read"
    assert crossings > 500  # imports of another layered app, each checked (657 when written)


def test_an_upward_import_is_caught_wherever_and_however_it_is_written():
    source = """
import billing.models
from clinical import services


def complete(appointment):
    from billing.services import bill_create_for_appointment
    import importlib
    importlib.import_module("inventory.services")
    apps.get_model("billing", "Bill")
    apps.get_model("clinical.Prescription")
    mock.patch("billing.services.bill_add_charge")
    from patients.models import Patient  # a lower line: allowed
    from scheduling.models import Room  # its own app: allowed
    from django.db import transaction  # not one of ours: allowed
"""
    messages, crossings = import_violations("scheduling", "scheduling/services.py", source)

    lines = [int(message.split(":")[1]) for message in messages]
    assert lines == [2, 3, 7, 9, 10, 11, 12]
    assert crossings == 8
    assert messages[0].startswith("scheduling/services.py:2: scheduling imports billing.models: billing is on a higher")


def test_a_sibling_on_the_same_line_is_caught():
    messages, _ = import_violations("patients", "patients/services.py", "from catalog.models import Item\n")
    assert messages == [
        "patients/services.py:1: patients imports catalog.models: catalog is on its own line, and patients "
        "(patients / catalog) may import only from lower lines. Move the code down, or send a signal / call a hook "
        "registry the lower app defines (hms/layers.py)."
    ]


def test_an_upward_model_relation_is_caught_and_real_relations_are_read():
    relations = list(model_relations())

    assert ("inventory.Batch", "item", "catalog.Item") in relations
    assert ("scheduling.Appointment", "equipment", "scheduling.Equipment") in relations
    assert len(relations) > 150
    assert relation_violations([("scheduling.Equipment", "item", "inventory.Batch")]) == [
        "scheduling.Equipment.item points to inventory.Batch: inventory is not on a lower line than scheduling "
        "(hms/layers.py). Move the model to the app that owns it, or point the relation the other way."
    ]
    assert relation_violations([("inventory.Batch", "item", "catalog.Item")]) == []
