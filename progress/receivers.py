"""Keep progress in step with interviews (connected in ProgressConfig.ready)."""

from progress import services


def on_interview_finished(sender, *, interview, responses, tags, **kwargs):
    # Inside the finishing transaction: the aggregates change atomically with the result.
    services.progress_record_interview(interview=interview, responses=responses, tags=tags)


def on_response_assessed(sender, *, response, **kwargs):
    services.progress_record_assessment(response=response)
