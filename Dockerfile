FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e . && DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --no-input -v0
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && python manage.py bootstrap --no-demo && gunicorn quizsite.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-5} --access-logfile -"]
