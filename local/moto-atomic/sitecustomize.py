# Loaded by the Python that runs moto_server (local/moto.ts puts this folder on PYTHONPATH).
# DynamoDB applies a conditional write or a transaction atomically; moto's server is threaded and
# its DynamoDB backend checks a condition and then writes, so two racing conditional writes can
# both win there. One lock around the backend's reads and writes gives moto DynamoDB's semantics.
import threading

try:
    from moto.dynamodb.models import DynamoDBBackend
except Exception:  # not the moto this was written for: run it unchanged
    DynamoDBBackend = None

if DynamoDBBackend is not None:
    _lock = threading.RLock()

    def _atomic(method):
        def atomic(self, *args, **kwargs):
            with _lock:
                return method(self, *args, **kwargs)

        atomic.__name__ = method.__name__
        atomic.__doc__ = method.__doc__
        return atomic

    for _name in (
        "put_item",
        "update_item",
        "delete_item",
        "transact_write_items",
        "transact_get_items",
        "batch_write_item",
        "get_item",
        "query",
        "scan",
    ):
        if hasattr(DynamoDBBackend, _name):
            setattr(DynamoDBBackend, _name, _atomic(getattr(DynamoDBBackend, _name)))
    DynamoDBBackend.hcguard_atomic = True
