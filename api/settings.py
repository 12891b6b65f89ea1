"""Service configuration read from `SYLLABUS_*` environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """One settings object for the API, the CLI and the local runner."""

    model_config = SettingsConfigDict(env_prefix="SYLLABUS_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'syllabus.db'}"
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    open_signup: bool = False
    cors_origins: list[str] = []
    content_path: Path = PROJECT_ROOT / "content"
    # Where `serve` keeps development tokens (and the SQLite file by default).
    state_dir: Path = PROJECT_ROOT / "var"
    log_level: str = "INFO"
    log_json: bool = False
    db_pool_size: int = 10
    # Worker threads for sync endpoints (AnyIO's default is 40). More threads than pooled connections only
    # queue on the pool, and on a few cores dozens of threads contend for the GIL and stretch p99.
    threadpool_size: int = 10
    # Request bodies above this are refused with 413 before they are read whole (routes may lower it).
    max_request_bytes: int = 1_000_000
    max_ci_payload_bytes: int = 6_000_000
    # Writes per bearer token per minute (per API process), with this much burst.
    write_rate_per_minute: int = 600
    write_burst: int = 120
    # Submissions and jobs.
    max_submission_bytes: int = 256_000
    max_submission_files: int = 20
    submissions_per_minute: int = 30
    job_lease_seconds: int = 60
    job_max_attempts: int = 3
    # Mounts GET /bench/hello (the load benchmark's baseline); never on in production.
    bench_routes: bool = False

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        """A guessable token-hashing key is only acceptable on a developer's machine."""
        if self.environment != "development" and self.secret_key.get_secret_value() == DEV_SECRET:
            raise ValueError("SYLLABUS_SECRET_KEY must be set to a random value outside development")
        if self.environment == "production" and self.bench_routes:
            raise ValueError("SYLLABUS_BENCH_ROUTES is for benchmarks and is refused in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite default."""
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
