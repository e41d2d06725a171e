from flask import render_template


def render_form(template: str, form, **context):
    """Render a page with its form; 422 when the form has errors, so it comes back filled."""
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status
