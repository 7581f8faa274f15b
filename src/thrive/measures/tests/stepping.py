"""Answer the tablet's questions as a young person does: step by step, Continue then Finish."""

from thrive.measures import tablet_steps
from thrive.measures.engine import get_catalogue


def answer_in_steps(client, url: str, measure_id: str, answers: dict[int, str]):
    """POST each step's answers in turn; returns the last response (Finish's)."""
    response = None
    for step in tablet_steps.steps(get_catalogue().measure(measure_id)):
        data = {"step": str(step.number), "nav": "finish" if step.last else "next"}
        data.update({f"item_{n}": answers[n] for n in step.items if n in answers})
        response = client.post(url, data)
        if not step.last:
            assert response.status_code == 302, response.content.decode()[:2000]
    return response
