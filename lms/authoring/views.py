from __future__ import annotations


from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.accounts import permissions
from lms.authoring import bp, forms, packages, services
from lms.authoring import translations as translation_state
from lms.catalog import services as catalog
from lms.content import markdown
from lms.content import media as media_files
from lms.content import services as content
from lms.content import tracks
from lms.content.package_reader import PackageError
from lms.sources import services as sources
from lms.core.types import MAX_DATABASE_ID
from lms.extensions import db
from lms.i18n import current_language
from lms.i18n.languages import CONTENT_LANGUAGES

PREVIEW_LABELS = {"right": lambda: _("Right answer")}


def _guarded(view):
    """Authoring pages need a login; any refusal (NotFound, NotAllowed) is the 404 page
    (``lms.core.errors``): a course one may not change is not there for them."""
    return login_required(view)


def _course(slug: str):
    return services.course_for(current_user, slug)


@bp.get("/")
@_guarded
def index():
    courses = services.authored_courses(current_user)
    language = current_language()
    return render_template("authoring/index.html",
                           courses=[(c, catalog.course_text(c, language)[0]) for c in courses])


@bp.route("/new", methods=["GET", "POST"])
@_guarded
def new_course():
    services.require_course_creator(current_user)
    form = forms.CourseForm()
    form.default_language.choices = forms.language_choices()
    if request.method == "GET":
        form.default_language.data = current_language() if current_language() in CONTENT_LANGUAGES else "en"
        form.version.data = "1.0"
    if form.validate_on_submit():
        try:
            course = services.create_course(user=current_user, details=form.details())
        except services.SlugTaken:
            form.slug.errors.append(_("A course with this short name exists already."))
        except services.InvalidSlug:
            form.slug.errors.append(_("Use only lower-case letters, digits and single hyphens."))
        else:
            db.session.commit()
            flash(_("The course is created. Add its first module."), "success")
            return redirect(url_for(".workspace", slug=course.slug))
    return render_template("authoring/course_form.html", form=form, course=None,
                           languages=CONTENT_LANGUAGES), 422 if form.errors else 200


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@_guarded
def settings(slug: str):
    course = _course(slug)
    form = forms.CourseForm()
    form.default_language.choices = forms.language_choices()
    if request.method == "GET":
        form.fill(course)
    form.slug.data = course.slug  # never changed here
    if form.validate_on_submit():
        services.update_course(user=current_user, course=course, details=form.details())
        db.session.commit()
        flash(_("The course settings are saved."), "success")
        return redirect(url_for(".workspace", slug=course.slug))
    return render_template("authoring/course_form.html", form=form, course=course,
                           languages=CONTENT_LANGUAGES), 422 if form.errors else 200


@bp.route("/<slug>", methods=["GET", "POST"])
@_guarded
def workspace(slug: str):
    course = _course(slug)
    form = forms.ModuleForm()
    if form.validate_on_submit():
        try:
            module = services.add_module(user=current_user, course=course, slug=form.slug.data.strip(),
                                         title=form.title.data)
        except services.SlugTaken:
            form.slug.errors.append(_("This course has a module with this short name already."))
        except services.InvalidSlug:
            form.slug.errors.append(_("Use only lower-case letters, digits and single hyphens."))
        else:
            db.session.commit()
            return redirect(url_for(".editor", slug=slug, module=module.slug, language=course.default_language))
    modules, removed = services.workspace(user=current_user, course=course)
    title, _summary = catalog.course_text(course, current_language())
    return render_template("authoring/workspace.html", course=course, title=title, modules=modules,
                           removed=removed, form=form, languages=CONTENT_LANGUAGES, due=_due(course),
                           unmeasured=services.videos_without_length(course)), 422 if form.errors else 200


@bp.post("/<slug>/modules/<module>/move")
@_guarded
def move(slug: str, module: str):
    course = _course(slug)
    offset = -1 if request.form.get("direction") == "up" else 1
    services.move_module(user=current_user, course=course, module=services.module_for(course, module), offset=offset)
    db.session.commit()
    return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")


@bp.post("/<slug>/modules/<module>/published")
@_guarded
def module_published(slug: str, module: str):
    course = _course(slug)
    row = services.module_for(course, module)
    published = request.form.get("published") == "1"
    services.set_module_published(user=current_user, course=course, module=row, published=published)
    db.session.commit()
    flash(_("The module is shown to learners.") if published else _("The module is hidden from learners."),
          "success")
    return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")


@bp.post("/<slug>/modules/<module>/rename")
@_guarded
def rename(slug: str, module: str):
    course = _course(slug)
    try:
        services.rename_module(user=current_user, course=course, module=services.module_for(course, module),
                               title=request.form.get("title", ""))
    except services.Invalid as invalid:
        db.session.rollback()
        flash(invalid.problems[0].message, "error")
    else:
        db.session.commit()
        flash(_("The module is renamed."), "success")
    return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")


@bp.post("/<slug>/modules/<module>/watch-rule")
@_guarded
def watch_rule(slug: str, module: str):
    course = _course(slug)
    value = request.form.get("percent", "").strip().rstrip("%").strip()
    try:
        percent = int(value) if value else None
        services.set_watch_rule(user=current_user, course=course, module=services.module_for(course, module),
                                percent=percent)
    except ValueError:
        flash(_("Give a whole number from 1 to 100, or leave the field empty for no rule."), "error")
        return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")
    db.session.commit()
    flash(_("Saved: learners must watch %(percent)d %% of the video.", percent=percent) if percent
          else _("Saved: completing the module does not depend on the video."), "success")
    return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")


@bp.post("/<slug>/modules/<module>/check-rules")
@_guarded
def check_rules(slug: str, module: str):
    course = _course(slug)
    target = services.module_for(course, module)
    form = forms.CheckRulesForm()
    if not form.validate():
        flash(_("The form has expired. Please try again.") if "csrf_token" in form.errors else
              _("Nothing was saved. Give whole numbers: a score to pass from 1 to 100, attempts from 1 to 100, "
                "minutes from 1 to 43,200 and questions drawn from 1 to 200, or leave the optional ones empty."),
              "error")
        return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")
    services.set_check_rules(user=current_user, course=course, module=target, pass_mark=form.pass_mark.data,
                             max_attempts=form.max_attempts.data, attempt_wait_minutes=form.attempt_wait.data,
                             must_pass=form.must_pass.data, draw=form.draw.data)
    db.session.commit()
    flash(_("Saved: the rules of the module's questions."), "success")
    return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")


@bp.route("/<slug>/modules/<module>/remove", methods=["GET", "POST"])
@_guarded
def remove(slug: str, module: str):
    course = _course(slug)
    row = services.module_for(course, module)
    if request.method == "POST":
        services.remove_module(user=current_user, course=course, module=row)
        db.session.commit()
        flash(_("The module is removed. Its texts and learners' progress are kept; you can restore it below."),
              "success")
        return redirect(url_for(".workspace", slug=slug))
    revision = services.newest_revision(row, course.default_language)
    title = revision.title if revision else row.slug
    return render_template("authoring/remove.html", course=course, module=row, title=title)


@bp.post("/<slug>/modules/<module>/restore")
@_guarded
def restore_module(slug: str, module: str):
    course = _course(slug)
    services.restore_module(user=current_user, course=course, module=services.module_for(course, module))
    db.session.commit()
    flash(_("The module is back, at the end of the course."), "success")
    return redirect(url_for(".workspace", slug=slug) + f"#module-{module}")


@bp.route("/<slug>/modules/<module>/<language>", methods=["GET", "POST"])
@_guarded
def editor(slug: str, module: str, language: str):
    course = _course(slug)
    row = services.module_for(course, module)
    state = services.editor_state(user=current_user, course=course, module=row, language=language)
    form = forms.EditorForm()
    problems, preview, status = [], None, 200
    if request.method == "GET":
        form.text.data = state.current.body if state.current else ""
        form.base.data = str(state.current.id if state.current else 0)
    elif form.validate_on_submit():
        action = request.form.get("action", "preview")
        text = (form.text.data or "").replace("\r\n", "\n")
        if action == "upload":
            text, status = _upload_image(course, form, text)
            form.text.data = text
        elif action == "upload-video":
            text, status = _upload_video(course, form, text)
            form.text.data = text
        elif action in ("save", "publish"):
            try:
                services.save_text(user=current_user, course=course, module=row, language=language, text=text,
                                   base_id=form.base_id(), publish=action == "publish")
            except services.Invalid as invalid:
                problems, status = invalid.problems, 422
            except services.Conflict:
                db.session.rollback()
                return render_template("authoring/conflict.html", course=course, module=row, language=language,
                                       mine=text, theirs=services.newest_revision(row, language),
                                       action=action), 409
            else:
                db.session.commit()
                flash(_("Published: learners now see this text.") if action == "publish"
                      else _("Draft saved. Learners still see the published text."), "success")
                return redirect(url_for(".editor", slug=slug, module=module, language=language))
        else:
            problems = services.check_text(course, text)
        base = _media_base(course)
        preview = markdown.render_module_file(
            text, media_base=base, preview={k: v() for k, v in PREVIEW_LABELS.items()}, labels=content.labels(),
            video=content.video_resolver(course=course, media_base=base, language=language))
    else:
        status = 422
    changes = services.diff(state.translated_from.body, state.source.body) if state.translated_from else None
    return render_template("authoring/editor.html", course=course, module=row, language=language, state=state,
                           form=form, problems=problems, preview=preview, changes=changes,
                           languages=CONTENT_LANGUAGES, videos=services.course_videos(course)), status


def _upload_video(course, form, text: str) -> tuple[str, int]:
    """Keep the uploaded video with the course and add it to the end of the text (not yet saved)."""
    upload = form.video.data
    if not upload or not upload.filename:
        form.video.errors.append(_("Choose a video file."))
        return text, 422
    try:
        video = services.upload_media(user=current_user, course=course, filename=upload.filename,
                                      stream=upload.stream, kind="video")
    except services.InvalidMedia as invalid:
        form.video.errors.append(media_files.refusal(invalid.reason, kind="video"))
        return text, 422
    db.session.commit()
    flash(_("The video is uploaded and added at the end of the text. Add its subtitles, then save."), "success")
    caption = (form.video_caption.data or "").strip()
    block = f"::: video media/{video.name}\n" + (f"{caption}\n" if caption else "") + ":::\n"
    return text.rstrip("\n") + "\n\n" + block, 200


@bp.route("/<slug>/subtitles/<video>/<language>", methods=["GET", "POST"])
@_guarded
def subtitles(slug: str, video: str, language: str):
    """A video's subtitle track in one language: written or uploaded, checked line by line."""
    course = _course(slug)
    current = services.track_text(user=current_user, course=course, video=video, language=language)
    form = forms.TrackForm()
    problems, status = [], 200
    if request.method == "GET":
        form.text.data = current if current is not None else "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n"
    elif form.validate_on_submit():
        data, filename = (form.text.data or "").encode("utf-8"), ""
        if form.upload.data and form.upload.data.filename:
            data, filename = form.upload.data.read(media_files.MAX_TRACK_BYTES + 1), form.upload.data.filename
            form.text.data = tracks.decode(data)[0]
        try:
            services.save_track(user=current_user, course=course, video=video, language=language, data=data,
                                filename=filename)
        except services.Invalid as invalid:
            problems, status = invalid.problems, 422
        else:
            db.session.commit()
            flash(_("The subtitles are saved."), "success")
            return redirect(url_for(".subtitles", slug=slug, video=video, language=language))
    else:
        status = 422
    states = [s for s in services.track_states(course=course) if s.video == video]
    return render_template("authoring/subtitles.html", course=course, video=video, language=language, form=form,
                           problems=problems, states=states, languages=CONTENT_LANGUAGES,
                           exists=current is not None), status


def _media_base(course) -> str:
    return url_for(".media", slug=course.slug, name="x")[:-1]


def _upload_image(course, form, text: str) -> tuple[str, int]:
    """Keep the uploaded image with the course and add it to the end of the text (not yet saved)."""
    upload = form.image.data
    alt = (form.alt.data or "").strip()
    if not upload or not upload.filename:
        form.image.errors.append(_("Choose an image file."))
        return text, 422
    if not alt:
        form.alt.errors.append(_("Describe the image: readers who cannot see it hear this text."))
        return text, 422
    try:
        image = services.upload_media(user=current_user, course=course, filename=upload.filename,
                                      stream=upload.stream, kind="image")
    except services.InvalidMedia as invalid:
        form.image.errors.append(media_files.refusal(invalid.reason, kind="image"))
        return text, 422
    db.session.commit()
    flash(_("The image is uploaded and added at the end of the text. Save to keep it."), "success")
    safe_alt = alt.replace("[", "(").replace("]", ")")
    return text.rstrip("\n") + f"\n\n![{safe_alt}](media/{image.name})\n", 200


@bp.get("/<slug>/media/<name>")
@_guarded
def media(slug: str, name: str):
    """A course image for its authors, whether the course is published or not."""
    path, row = content.course_media(course=_course(slug), name=name)
    return send_file(path, mimetype=row.content_type, max_age=3600)


@bp.get("/<slug>/modules/<module>/<language>/history")
@_guarded
def history(slug: str, module: str, language: str):
    course = _course(slug)
    row = services.module_for(course, module)
    rows = services.history(user=current_user, course=course, module=row, language=language)
    if not rows:
        abort(404)
    newest, older = rows[0].revision.id, (rows[1].revision.id if len(rows) > 1 else rows[0].revision.id)
    old = services.revision_of(module=row, language=language, revision_id=_revision_id("old", older))
    new = services.revision_of(module=row, language=language, revision_id=_revision_id("new", newest))
    return render_template("authoring/history.html", course=course, module=row, language=language, rows=rows,
                           old=old, new=new, lines=services.diff(old.body, new.body))


def _revision_id(name: str, default: int) -> int:
    """A revision id from the query string; anything that is not one (too large, not a number) is 0."""
    value = request.args.get(name, default, type=int)
    return value if 0 < value <= MAX_DATABASE_ID else 0


@bp.post("/<slug>/modules/<module>/<language>/restore/<int:revision_id>")
@_guarded
def restore(slug: str, module: str, language: str, revision_id: int):
    course = _course(slug)
    services.restore_revision(user=current_user, course=course, module=services.module_for(course, module),
                              language=language, revision_id=revision_id)
    db.session.commit()
    flash(_("The earlier text is back as a draft. Publish it to show it to learners."), "success")
    return redirect(url_for(".editor", slug=slug, module=module, language=language))


@bp.get("/<slug>/translations")
@_guarded
def translations(slug: str):
    """Which modules and subtitle tracks exist in which language, and which are outdated."""
    course = _course(slug)
    table = translation_state.translation_table(viewer=current_user, course=course)
    title, _summary = catalog.course_text(course, current_language())
    tracks: dict[str, dict[str, str]] = {}
    for state in services.track_states(course=course):
        tracks.setdefault(state.video, {})[state.language] = state.state
    return render_template("authoring/translations.html", table=table, title=title,
                           states=translation_state.TranslationState, can_edit=True, tracks=tracks, due=_due(course))


def _due(course) -> dict[int, set[str]]:
    """Module id → the languages whose text is due for review because a source it cites changed."""
    due: dict[int, set[str]] = {}
    for module_id, language in sources.review_due(course):
        due.setdefault(module_id, set()).add(language)
    return due


def translations_link(course) -> str | None:
    """The course page's link to its translation state, for the course's authors."""
    if not permissions.can_author(current_user, course):
        return None
    return render_template("authoring/_translations_link.html", course=course)


@bp.get("/<slug>/log")
@_guarded
def log(slug: str):
    course = _course(slug)
    return render_template("authoring/log.html", course=course,
                           entries=services.audit_log(user=current_user, course=course))


@bp.get("/<slug>/package.zip")
@_guarded
def download(slug: str):
    course = _course(slug)
    data = packages.download(user=current_user, course=course)
    response = make_response(data)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{course.slug}.zip"'
    return response


@bp.route("/<slug>/package", methods=["GET", "POST"])
@_guarded
def package(slug: str):
    course = _course(slug)
    form = forms.PackageForm()
    problems, preview, status = [], None, 200
    if form.validate_on_submit():
        key = packages.stage(user=current_user, course=course, stream=form.package.data.stream)
        try:
            preview = packages.preview(user=current_user, course=course, key=key)
        except PackageError as error:
            packages.discard(key)  # refused: nothing of it is kept
            problems, status = error.problems, 422
    elif form.errors:
        status = 422
    return render_template("authoring/package.html", course=course, form=form, problems=problems,
                           preview=preview), status


@bp.post("/<slug>/package/apply")
@_guarded
def apply_package(slug: str):
    course = _course(slug)
    form = forms.PackageForm()
    key = request.form.get("key", "")
    try:
        result = packages.apply(user=current_user, course=course, key=key)
    except PackageError as error:
        db.session.rollback()
        packages.discard(key)
        return render_template("authoring/package.html", course=course, form=form, problems=error.problems,
                               preview=None), 422
    db.session.commit()
    flash(ngettext("The package is applied: %(num)d text added or changed.",
                   "The package is applied: %(num)d texts added or changed.", result.revisions_added), "success")
    return redirect(url_for(".workspace", slug=slug))


@bp.route("/<slug>/authors", methods=["GET", "POST"])
@_guarded
def authors(slug: str):
    course = _course(slug)
    authors = services.course_authors(admin=current_user, course=course)  # admins only; unchanged unless redirected
    form = forms.AuthorForm()
    if form.validate_on_submit():
        try:
            author = services.assign_author(admin=current_user, course=course, email=form.email.data.strip())
        except services.NotAnAuthor:
            form.email.errors.append(_("No user with this e-mail address has the author role. Give them the "
                                       "role first (flask --app wsgi users create … --role author)."))
        else:
            db.session.commit()
            flash(_("%(name)s can now change this course.", name=author.display_name), "success")
            return redirect(url_for(".authors", slug=slug))
    return render_template("authoring/authors.html", course=course, form=form,
                           authors=authors), \
        422 if form.errors else 200


@bp.post("/<slug>/authors/<int:user_id>/remove")
@_guarded
def remove_author(slug: str, user_id: int):
    course = _course(slug)
    services.remove_author(admin=current_user, course=course, user_id=user_id)
    db.session.commit()
    flash(_("The author is removed from this course."), "success")
    return redirect(url_for(".authors", slug=slug))
