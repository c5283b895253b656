from django import forms

from teams.models import DESCRIPTION_MAX, NAME_MAX


class TeamForm(forms.Form):
    name = forms.CharField(label="团队名称 Team name", max_length=NAME_MAX)
    description = forms.CharField(
        label="简介 Description",
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TeamSettingsForm(TeamForm):
    public_board_opt_out = forms.BooleanField(
        label="不参加公开榜 Keep this team off the public board", required=False
    )
