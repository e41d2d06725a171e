"""The app as gunicorn serves it in the load benchmark, plus one minimal route to compare with."""

from cohortapp import create_app

app = create_app()


@app.get("/_ping")
def ping():
    return "ok"
