"""What to study next and the way to a target, from the prerequisite graph and the learner's statuses.

Decisions:
- Completed or skipped topics are done. A topic is unlocked when every hard prerequisite is done; soft
  prerequisites never lock, they only order (a topic comes after its soft prerequisites). A prerequisite
  that is archived or missing never blocks and never orders.
- Order: a topological order of the active topics over hard and soft edges; among topics free to come next,
  in-progress ones first, then curriculum order (section position, topic position, id).
- `/path`: the target plus its transitive hard prerequisites that are not done. The walk stops at done
  topics (what they needed is no longer needed). Soft prerequisites are recommendations, not needs: they are
  not added to the path, but they order the topics on it.
"""

import heapq

from api.progress.catalogue import Catalogue, TopicNode, TopicNotFound
from api.progress.schemas import LockedTopic, NextRead, NextTopic, PathRead, PathStep

DONE = frozenset({"completed", "skipped"})


def study_order(catalogue: Catalogue, statuses: dict[int, str]) -> list[TopicNode]:
    """Active topics in a valid prerequisite order (Kahn's algorithm with a curriculum-order heap)."""
    active = {t.id: t for t in catalogue.active()}
    dependents: dict[int, list[int]] = {tid: [] for tid in active}
    waiting: dict[int, int] = dict.fromkeys(active, 0)
    for tid in active:
        for prereq in catalogue.blocking(tid):
            dependents[prereq.id].append(tid)
            waiting[tid] += 1

    def key(tid: int) -> tuple[int, tuple[int, str, int, int]]:
        return (0 if statuses.get(tid) == "in_progress" else 1, active[tid].sort_key)

    ready = [(key(tid), tid) for tid, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[TopicNode] = []
    while ready:
        _, tid = heapq.heappop(ready)
        order.append(active[tid])
        for dependent in dependents[tid]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (key(dependent), dependent))
    placed = {t.id for t in order}
    # The catalogue refuses cycles; should one slip in, its topics still appear, in curriculum order.
    order.extend(sorted((t for t in active.values() if t.id not in placed), key=lambda t: t.sort_key))
    return order


def _status(statuses: dict[int, str], topic: TopicNode) -> str:
    return statuses.get(topic.id, "not_started")


def unmet_hard(catalogue: Catalogue, statuses: dict[int, str], topic: TopicNode) -> list[TopicNode]:
    """Hard prerequisites of `topic` that are not done yet."""
    return [p for p in catalogue.blocking(topic.id, "hard") if _status(statuses, p) not in DONE]


def _next_reason(catalogue: Catalogue, statuses: dict[int, str], topic: TopicNode) -> str:
    parts = []
    if _status(statuses, topic) == "in_progress":
        parts.append("in progress")
    hard = catalogue.blocking(topic.id, "hard")
    parts.append(
        "unlocked: hard prerequisites " + ", ".join(p.slug for p in hard) + " done"
        if hard
        else "no hard prerequisites"
    )
    soft_pending = [p.slug for p in catalogue.blocking(topic.id, "soft") if _status(statuses, p) not in DONE]
    if soft_pending:
        parts.append("listed after soft prerequisites " + ", ".join(soft_pending))
    return "; ".join(parts)


def next_topics(catalogue: Catalogue, statuses: dict[int, str], *, limit: int | None = None) -> NextRead:
    """Unlocked, not-done topics in study order, and locked ones with their unmet hard prerequisites."""
    items: list[NextTopic] = []
    locked: list[LockedTopic] = []
    for topic in study_order(catalogue, statuses):
        status = _status(statuses, topic)
        if status in DONE:
            continue
        unmet = unmet_hard(catalogue, statuses, topic)
        if unmet:
            locked.append(
                LockedTopic(
                    slug=topic.slug,
                    title=topic.title,
                    section=topic.section,
                    unmet_prerequisites=[p.slug for p in unmet],
                )
            )
        elif limit is None or len(items) < limit:
            items.append(
                NextTopic(
                    slug=topic.slug,
                    title=topic.title,
                    section=topic.section,
                    est_hours=topic.est_hours,
                    status=status,
                    reason=_next_reason(catalogue, statuses, topic),
                )
            )
    return NextRead(items=items, locked=locked)


def path_to(catalogue: Catalogue, statuses: dict[int, str], *, target_slug: str) -> PathRead:
    """The not-done topics needed for the target (itself and transitive hard prerequisites), in order."""
    target = catalogue.by_slug(target_slug)
    if not target.active:
        raise TopicNotFound(f"topic {target_slug!r} is archived", slug=target_slug)
    needed_by: dict[int, list[str]] = {}
    stack = [target] if _status(statuses, target) not in DONE else []
    if stack:
        needed_by[target.id] = []
    while stack:
        topic = stack.pop()
        for prereq in catalogue.blocking(topic.id, "hard"):
            if _status(statuses, prereq) in DONE:
                continue
            if prereq.id not in needed_by:
                needed_by[prereq.id] = []
                stack.append(prereq)
            needed_by[prereq.id].append(topic.slug)
    steps = []
    for topic in study_order(catalogue, statuses):
        if topic.id not in needed_by:
            continue
        users = sorted(needed_by[topic.id])
        steps.append(
            PathStep(
                slug=topic.slug,
                title=topic.title,
                section=topic.section,
                est_hours=topic.est_hours,
                status=_status(statuses, topic),
                unlocked=not unmet_hard(catalogue, statuses, topic),
                reason="the target" if topic.id == target.id else "hard prerequisite of " + ", ".join(users),
            )
        )
    return PathRead(
        target=target.slug, items=steps, total_est_hours=round(sum(step.est_hours for step in steps), 2)
    )
