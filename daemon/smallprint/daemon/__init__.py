"""The local daemon: an aiohttp app on loopback serving the engine to the native bridge and to researchers.

Modules: app (factory and typed state), middlewares (Host/Origin/auth/size/error envelope), views, openapi,
runner (worker pool, time limit, cache), server (bind, lock, runtime file, logs, signals), discovery (runtime file).
Importing this package stays cheap (no aiohttp) so the bridge can import `discovery` alone.
"""
