"""pymongo with MONGODB-AWS through mongoawsauth: the drop-in, in three lines.

Usage: MONGODB_URI='mongodb://host/?authMechanism=MONGODB-AWS&authSource=$external' python pymongo_login.py
"""

import os

import mongoawsauth
import pymongo

mongoawsauth.patch_pymongo()
client = pymongo.MongoClient(os.environ["MONGODB_URI"])
print(client.admin.command("connectionStatus")["authInfo"]["authenticatedUsers"][0]["user"])
