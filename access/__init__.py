"""The access module: every "may", every "visible to", every mask decision of exitprog.

Views, selectors, services and tasks ask `access.policy`; nothing else decides who sees what.
"""
