"""
Django's Redis cache backend, with one Redis client per connection pool rather than one per call.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache operation, and building one
fills a table of about 170 response callbacks: a third of the time a page served from the cache
takes. A client only borrows connections from its pool for each command and is safe to share
between threads, so one per pool is kept for the life of the process.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
