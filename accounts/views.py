from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render

from accounts.forms import ProfileForm, SignupForm
from accounts.middleware import remember_preferences
from accounts.models import Profile, profile_for


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                # Created with the user: the login below reads the preferences from it.
                Profile.objects.create(user=user, display_name=form.cleaned_data["display_name"])
        except IntegrityError:  # the same username, signed up at the same moment
            form.username_taken()
        else:
            login(request, user, backend="accounts.backends.ProfileModelBackend")
            messages.success(request, "欢迎!Welcome!")
            return redirect("interviews:new")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


@login_required
def profile_edit(request):
    profile = profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        remember_preferences(request, profile)
        messages.success(request, "已保存。Saved.")
        return redirect("profile")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/profile.html", {"form": form}, status=status)
