from cohortapp import create_app

app = create_app()
