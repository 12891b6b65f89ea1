"""Prometheus metrics of the API process."""

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("syllabus_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "syllabus_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
SUBMISSIONS = Counter(
    "syllabus_submissions_total", "Submissions reaching a final status", ["status", "source"]
)
QUEUE_DEPTH = Gauge("syllabus_job_queue_depth", "Jobs waiting for a runner (sampled on scrape)")
JOB_PHASE = Histogram(
    "syllabus_job_phase_seconds",
    "Job latency by phase (queued, setup, run)",
    ["phase"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
LOG_LINES_DROPPED = Counter(
    "syllabus_log_lines_dropped_total", "Log lines dropped because the log output fell behind"
)
