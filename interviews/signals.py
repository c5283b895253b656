from django.dispatch import Signal

# Sent inside the finishing transaction, once per interview, when it is finished, timed out or
# abandoned: receivers that maintain aggregates update them atomically with the result.
# Arguments: interview (Interview, with score and topic_scores set), responses (list[Response]).
interview_finished = Signal()
response_assessed = Signal()  # sent at the end of response_assess; argument: response
