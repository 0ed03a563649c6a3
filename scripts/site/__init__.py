"""The build code of the site, one module per concern, wired to MkDocs events by the
thin hook ``scripts/hooks/site_hooks.py`` (read it first: it says which module runs on
which event and why in that order).

========================  ===========================================================
module                    owns
========================  ===========================================================
``common``                paths, the cache folder, page/nav/front-matter helpers
``patches``               every work-around of mkdocs-jupyter and mkdocs-static-i18n;
                          memoized highlighting and page rendering
``background``            stale figures and labs made by one worker process per core
``figures``               which figures are stale, adding them as site files, ``fig:``
``labs``                  running labs once per code, their HTML: ids, CSS, images
``math``                  TeX -> HTML with the vendored KaTeX at build time
``search``                the search index (one per language) and its worker
``collections``           pages made of other pages: drill, Anki TSV, print, topic map,
                          glossary table
``cards``                 practice cards from the topic pages: ids, validation, the
                          practice page's deck (split off to practice-deck.js), key
                          comments stripped
``assets``                site-wide asset trimming: KaTeX font subset and preload,
                          vendored polyfills, edit links
========================  ===========================================================

Modules import ``common`` and their own helpers (``css_prune``, ``font_subset``), never
each other (``background`` runs jobs named by module and function, without importing them): a concern can be replaced without reading the rest.
"""
