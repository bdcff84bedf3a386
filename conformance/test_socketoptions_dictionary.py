"""#socketoptions-dictionary: secureTransport is an enum checked at once."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Marked explicitly so the suite also runs in pytest-asyncio's strict mode.
pytestmark = [pytest.mark.asyncio, pytest.mark.spec_anchor("#socketoptions-dictionary")]


@pytest.mark.requirement("OPT-2")
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text().filter(lambda text: text not in ("off", "on", "starttls")))
async def test_an_unknown_secure_transport_throws_type_error(sockets_connect, value):
    with pytest.raises(TypeError):
        sockets_connect("127.0.0.1:9", {"secureTransport": value})
