"""smallprint-bridge: the native-messaging host between the browser extension and the local daemon.

See ../PROTOCOL.md for the messages; `host.main` is the console script.
"""
