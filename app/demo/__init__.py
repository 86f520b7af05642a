"""The demo village (`villagedesk demo`) and the county-scale data (`demo --scale county`): not rules a user runs.

village builds 东坟村 from a plan (facts, names, plan_people, planner, plan) written in bulk (write) and
through the areas' services (grid, points, stars, tickets); summary reports what was built. county
builds the benchmark dataset.
"""
