"""A fake AWS endpoint for trailwatch's tests: CloudTrail, CloudWatch Logs,
CloudWatch, SNS, STS and Config on one local port, speaking the real wire
protocols and checking SigV4 with botocore.  See README.md."""
from .builders import CIS_PATTERN, account_key, compliant_account, empty_account, fixture
from .errors import AwsError
from .faults import KINDS as FAULT_KINDS
from .server import FakeAws
from .state import FixtureError, State

__all__ = ["FakeAws", "State", "FixtureError", "AwsError", "FAULT_KINDS", "CIS_PATTERN",
           "account_key", "compliant_account", "empty_account", "fixture"]
