"""Request plumbing shared by every blueprint: security headers, errors, templating, languages,
redirects, sign-in, access control and the form fields and validators every form uses.

Nothing here imports a feature package: the features build on the web layer, never the reverse.
"""
