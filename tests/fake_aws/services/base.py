"""What every operation handler gets: the caller, the region, the state."""
from ..errors import AwsError


class Context:
    def __init__(self, state, service, operation, key, region, request_id):
        self.state = state
        self.service = service
        self.operation = operation
        self.key = key                     # state.Key that signed the request
        self.account_id = key.account
        self.region = region               # from the credential scope
        self.request_id = request_id

    @property
    def account(self):
        return self.state.account(self.account_id) or {}

    def paginate(self, items, token, page_size, params, invalid):
        """One page of ``items`` from ``token``; returns (page, next_token).

        ``params`` are the request parameters that define the listing (not the
        token nor the page size); a token is valid only with the same ones.
        ``invalid()`` builds the AwsError for a bad token.
        """
        start = 0
        if token is not None:
            start = self.state.read_token(self.operation, self.account_id, self.region, params, token)
            if start is None or start > len(items):
                raise invalid()
        end = start + page_size
        next_token = None
        if end < len(items):
            next_token = self.state.mint_token(self.operation, self.account_id, self.region, params, end)
        return items[start:end], next_token


def parse_arn(arn):
    """'arn:partition:service:region:account:resource' -> dict, or None."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return {"partition": parts[1], "service": parts[2], "region": parts[3],
            "account": parts[4], "resource": parts[5]}


def error(code, message, status=400):
    return AwsError(code, message, status)
