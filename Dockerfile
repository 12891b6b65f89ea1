# One image for the API and the runner. The runner's sandbox needs bubblewrap and util-linux's setpriv.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap util-linux tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY db db
COPY migrations migrations
COPY content content
COPY runners runners
COPY cli cli
COPY alembic.ini ./
RUN pip install --no-cache-dir '.[ml]' && python -m compileall -q /app
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["syllabus", "serve", "--host", "0.0.0.0", "--no-runner"]
