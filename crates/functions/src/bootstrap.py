"""Palisade's runtime interface client for Python functions.

Speaks the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API: imports the handler named by _HANDLER
from LAMBDA_TASK_ROOT, fetches the next event, calls the handler and posts its result, or the
error in the shape AWS's Python runtime reports (errorMessage, errorType, requestId, stackTrace).
"""

import importlib
import json
import logging
import os
import sys
import time
import traceback
import urllib.request

RUNTIME = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def post(path, body, headers=None):
    request = urllib.request.Request(RUNTIME + path, data=body, method="POST", headers=headers or {})
    urllib.request.urlopen(request).read()


def error_record(error, request_id=""):
    # The runtime's own frames are not the function's; AWS leaves them out too.
    frames = traceback.format_list([f for f in traceback.extract_tb(error.__traceback__) if f.filename != __file__])
    return {"errorMessage": str(error), "errorType": type(error).__name__, "requestId": request_id, "stackTrace": frames}


def log_error(record, prefix=""):
    # AWS writes an unhandled error as one log event; '\r' keeps its lines in that one event.
    lines = [prefix + "[ERROR] " + record["errorType"] + ": " + record["errorMessage"], "Traceback (most recent call last):"]
    lines.extend(frame.rstrip("\n") for frame in record["stackTrace"])
    sys.stdout.write("\r".join(lines).replace("\n", "\r") + "\n")
    sys.stdout.flush()


def report_init_error(error_type, message):
    record = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
    sys.stdout.write("[ERROR] " + error_type + ": " + message + "\n")
    sys.stdout.flush()
    post("/init/error", json.dumps(record).encode(), {"Lambda-Runtime-Function-Error-Type": error_type})
    sys.exit(1)


class LambdaContext:
    def __init__(self, request_id, deadline_ms, function_arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def configure_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(RequestIdFilter())
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "WARNING").upper())


def load_handler():
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        report_init_error("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, error))
    except SyntaxError as error:
        report_init_error("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, error))
    except Exception as error:
        record = error_record(error)
        log_error(record)
        post("/init/error", json.dumps(record).encode(), {"Lambda-Runtime-Function-Error-Type": "Runtime.Unknown"})
        sys.exit(1)
    handler = getattr(module, function_name, None)
    if handler is None:
        report_init_error("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


def main():
    configure_logging()
    handler = load_handler()
    while True:
        with urllib.request.urlopen(RUNTIME + "/invocation/next") as response:
            request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
            deadline_ms = int(response.headers["Lambda-Runtime-Deadline-Ms"])
            function_arn = response.headers["Lambda-Runtime-Invoked-Function-Arn"]
            body = response.read()
        RequestIdFilter.request_id = request_id
        context = LambdaContext(request_id, deadline_ms, function_arn)
        try:
            event = json.loads(body) if body else None
            result = handler(event, context)
        except Exception as error:
            record = error_record(error, request_id)
            log_error(record)
            post("/invocation/" + request_id + "/error", json.dumps(record).encode(), {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
            continue
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as error:
            record = {"errorMessage": "Unable to marshal response: " + str(error), "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
            log_error(record)
            post("/invocation/" + request_id + "/error", json.dumps(record).encode(), {"Lambda-Runtime-Function-Error-Type": "Runtime.MarshalError"})
            continue
        post("/invocation/" + request_id + "/response", payload)


if __name__ == "__main__":
    main()
