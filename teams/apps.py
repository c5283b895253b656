from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "团队 Teams"

    def ready(self) -> None:
        from interviews.signals import interview_finished
        from teams.receivers import record_finished_interview

        interview_finished.connect(record_finished_interview, dispatch_uid="teams.daily_stats")
