"""Loading implementations: built-in names, import paths, and broken adapters."""

from __future__ import annotations

import pytest

from pytest_sockets import FEATURES, load_implementation

pytest_plugins = ["pytester"]


def test_the_builtin_reference_loads_with_its_name_and_version() -> None:
    import reference_impl

    implementation = load_implementation("reference")

    assert implementation.name == "reference"
    assert implementation.version == reference_impl.__version__
    assert "pytest_sockets._reference" in implementation.origin
    assert implementation.connect is reference_impl.connect
    assert all(implementation.supports(feature) for feature in FEATURES), (
        "the reference implementation should support every optional feature"
    )


def test_a_module_adapter_gives_name_version_features_and_ca_hook(
    adapters: pytest.Pytester,
) -> None:
    adapters.makepyfile(
        full_adapter="""
        NAME = "full"
        VERSION = "1.2.3"
        UNSUPPORTED_FEATURES = {"half-open": "no allowHalfOpen in this host"}
        TRUSTED = []

        def connect(address, options=None):
            return ("default trust", address)

        def connect_trusting(ca_pem):
            TRUSTED.append(ca_pem)
            return lambda address, options=None: ("test CA", address)
        """
    )

    implementation = load_implementation("full_adapter")

    assert (implementation.name, implementation.version) == ("full", "1.2.3")
    assert "full_adapter.py" in implementation.origin
    assert not implementation.supports("half-open")
    assert implementation.supports("tls")
    assert implementation.unsupported == {"half-open": "no allowHalfOpen in this host"}
    connect = implementation.connect_with_ca(b"PEM")
    assert connect("h:1") == ("test CA", "h:1"), "the CA hook's connect should be used"
    assert implementation.connect("h:1") == ("default trust", "h:1")


def test_a_bare_adapter_is_named_as_selected_with_an_unknown_version(
    adapters: pytest.Pytester,
) -> None:
    adapters.makepyfile(bare_adapter="def connect(address, options=None): pass")

    implementation = load_implementation("bare_adapter")

    assert (implementation.name, implementation.version) == ("bare_adapter", "unknown")


def test_dunder_version_is_used_when_version_is_absent(
    adapters: pytest.Pytester,
) -> None:
    adapters.makepyfile(
        versioned="__version__ = '4.5'\ndef connect(address, options=None): pass"
    )

    assert load_implementation("versioned").version == "4.5"


def test_without_a_ca_hook_the_features_that_need_the_test_ca_are_unsupported(
    adapters: pytest.Pytester,
) -> None:
    adapters.makepyfile(no_ca_hook="def connect(address, options=None): pass")

    implementation = load_implementation("no_ca_hook")

    for feature in ("tls", "starttls", "alpn", "sni"):
        assert not implementation.supports(feature)
        assert "connect_trusting" in implementation.unsupported[feature]
    assert implementation.supports("half-open")
    assert implementation.connect_with_ca(b"PEM") is implementation.connect


def test_a_binding_object_loads_from_module_colon_attribute(
    adapters: pytest.Pytester,
) -> None:
    adapters.makepyfile(
        binding_module="""
        class Binding:
            NAME = "object-binding"
            def connect(self, address, options=None):
                return address

        binding = Binding()
        """
    )

    implementation = load_implementation("binding_module:binding")

    assert implementation.name == "object-binding"
    assert implementation.connect("example.com:1") == "example.com:1"
    assert implementation.origin.startswith("binding_module:binding (")


def test_an_unknown_feature_name_is_rejected() -> None:
    implementation = load_implementation("reference")

    with pytest.raises(ValueError, match=r"known features: .*half-open"):
        implementation.supports("telepathy")


# Each broken adapter: its source, the name it is selected by, and what the error
# must say about it.
BROKEN = {
    "missing module": (
        None,
        "no_such_module_xyz",
        "no module named 'no_such_module_xyz'",
    ),
    "missing package": (
        None,
        "no_such_pkg_xyz.adapter",
        "no module named 'no_such_pkg",
    ),
    "not an import path": (None, "not a/path", "is not an import path"),
    "failing import": (
        "raise RuntimeError('the host is not installed')",
        "failing_adapter",
        "RuntimeError: the host is not installed",
    ),
    "missing dependency": (
        "import no_such_dependency_xyz",
        "needs_dependency",
        "failed: ModuleNotFoundError: No module named 'no_such_dependency_xyz'",
    ),
    "no connect": ("VERSION = '1'", "no_connect", "has no callable 'connect'"),
    "connect not callable": ("connect = 42", "bad_connect", "no callable 'connect'"),
    "missing attribute": ("", "empty_module:binding", "no attribute 'binding'"),
    "bad ca hook": (
        "def connect(a, o=None): pass\nconnect_trusting = 'yes'",
        "bad_hook",
        "'connect_trusting' is not callable",
    ),
    "features as a set": (
        "def connect(a, o=None): pass\nUNSUPPORTED_FEATURES = {'tls'}",
        "feature_set",
        "must map each feature name to the reason",
    ),
    "unknown feature": (
        "def connect(a, o=None): pass\nUNSUPPORTED_FEATURES = {'telepathy': 'no'}",
        "feature_unknown",
        "unknown features 'telepathy'; known features: alpn, half-open",
    ),
}


@pytest.mark.parametrize(("source", "name", "message"), BROKEN.values(), ids=BROKEN)
def test_a_broken_selection_is_a_usage_error_that_lists_the_builtin_names(
    adapters: pytest.Pytester, source: str | None, name: str, message: str
) -> None:
    if source is not None:
        adapters.makepyfile(**{name.partition(":")[0]: source})

    with pytest.raises(pytest.UsageError) as excinfo:
        load_implementation(name)

    text = str(excinfo.value)
    assert f"cannot load sockets implementation {name!r}" in text
    assert message in text
    assert "Built-in names: reference;" in text, "the error should list built-ins"
