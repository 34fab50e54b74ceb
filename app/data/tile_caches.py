"""The tile cache the settings ask for: in Redis when REDIS_URL is set, else in process."""

from __future__ import annotations

from app.data.cache import MemoryTileCache, TileCache
from app.data.telemetry import NO_TELEMETRY, TileTelemetry
from app.settings import Settings


def create_tile_cache(settings: Settings, telemetry: TileTelemetry = NO_TELEMETRY) -> TileCache:
    if settings.redis_url:
        # Imported here: the Redis client costs a process about 8 MB, for nothing without Redis.
        from app.data.redis_tile_cache import RedisTileCache

        return RedisTileCache(
            settings.redis_url,
            settings.redis_key_prefix,
            settings.tile_cache_max_ttl_seconds,
            telemetry,
        )
    return MemoryTileCache(
        settings.tile_cache_max_entries, settings.tile_cache_max_ttl_seconds, telemetry=telemetry
    )
