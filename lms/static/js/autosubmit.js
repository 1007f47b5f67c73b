// Sends a form marked data-autosubmit at once; without JavaScript its button does the same.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());
