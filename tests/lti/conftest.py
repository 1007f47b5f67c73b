"""The platform of the LTI tests: started, registered with NordLearn, stopped."""

from __future__ import annotations

import pytest

from tests.lti.platform import Platform


@pytest.fixture
def platform(app, runner, sample_courses):
    platform = Platform()
    result = runner.invoke(args=platform.registration_args())
    assert result.exit_code == 0, result.output
    yield platform
    platform.close()
