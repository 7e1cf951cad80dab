"""Reading the site: files -> posts -> passages and answer windows.

``corpus`` walks the content folder and builds a ``Post`` from each Markdown file with the
front matter read through the folder's ``schema``; ``permalinks`` gives each its page on the
site; ``plaintext`` turns Markdown into text blocks; ``periods`` finds the dates and years a
post speaks of; ``sentences`` splits text into sentences with exact spans; ``chunking`` cuts
posts into passages for retrieval and ``windows`` into the 1-3 sentence windows answers quote.
"""
