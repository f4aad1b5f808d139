'use strict';
// On a phone the list filters sit above the results (core/admin.css). Folded to their
// titles they take two lines instead of a screen; Django's filters.js, which runs after
// this file, then reopens any filter the user opened in this tab.
{
    if (window.matchMedia('(max-width: 767px)').matches) {
        document.querySelectorAll('#changelist-filter details[open]').forEach((details) => {
            details.removeAttribute('open');
        });
    }
}
