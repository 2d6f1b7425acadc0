from dataclasses import dataclass

from .models import ExamScore

CHART_WIDTH, CHART_HEIGHT, PAD = 300, 110, 12


@dataclass
class Trend:
    subject: str
    points: list[tuple[float, float, ExamScore]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _score in self.points)


def score_trends(student) -> list[Trend]:
    """Each subject's scores as points of a small SVG chart: time across, percent of full marks up.
    One query; the chart is drawn on the server, so it needs no script."""
    by_subject: dict[str, list[ExamScore]] = {}
    for score in ExamScore.objects.filter(student=student).order_by("exam_date", "pk"):
        by_subject.setdefault(score.subject, []).append(score)
    trends = []
    for subject, scores in by_subject.items():
        first, last = scores[0].exam_date, scores[-1].exam_date
        span = max((last - first).days, 1)
        points = [
            (
                PAD
                + (CHART_WIDTH - 2 * PAD) * ((s.exam_date - first).days / span if len(scores) > 1 else 0.5),
                PAD + (CHART_HEIGHT - 2 * PAD) * (1 - s.percent / 100),
                s,
            )
            for s in scores
        ]
        trends.append(Trend(subject, points))
    return trends
