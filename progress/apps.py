from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "学习进度 Progress"

    def ready(self):
        from interviews.signals import interview_finished, response_assessed
        from progress import receivers

        interview_finished.connect(
            receivers.on_interview_finished, dispatch_uid="progress.interview_finished"
        )
        response_assessed.connect(
            receivers.on_response_assessed, dispatch_uid="progress.response_assessed"
        )
