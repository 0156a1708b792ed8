"""moto server for floe's tests, with requests applied one at a time.

AWS applies a DynamoDB conditional write, an S3 conditional put (If-None-Match) and the like
atomically. moto's backends take no locks, and its threaded server lets two requests interleave
between a condition check and the write it guards, so concurrent tests would see lost updates
AWS never produces. This runs moto's own WSGI app on its own threaded server, but holds one lock
around each request, which restores that atomicity (moto requests are short; nothing waits long).

Usage: python moto_server.py <host> <port>
"""
import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()


def one_at_a_time(environ, start_response):
    with lock:
        # The whole response is produced inside the lock: backends work while iterating too.
        return list(app(environ, start_response))


if __name__ == "__main__":
    run_simple(sys.argv[1], int(sys.argv[2]), one_at_a_time, threaded=True, request_handler=MotoRequestHandler)
